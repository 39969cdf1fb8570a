"""Chinese and yyyy-mm-dd whatever the browser's locale: the texts Dash's own dropdowns and date
pickers would show in English (their search box, "Select All", "No options found", the calendar's
formats) set once on every page's layout (`localise`, applied to each registered page by app.py)."""
from __future__ import annotations

from dash import dcc

DROPDOWN_LABELS = {"select_all": "全选", "deselect_all": "取消全选", "selected_count": "已选 {num_selected} 项",
                   "search": "搜索", "clear_search": "清除搜索", "clear_selection": "清除选择",
                   "no_options_found": "无匹配选项"}
#: the calendar: ISO dates, weeks from Monday (as Chinese calendars print them)
DATE_FORMATS = {"display_format": "YYYY-MM-DD", "month_format": "YYYY年MM月", "first_day_of_week": 1}
DATE_PLACEHOLDER = "选择日期"


def date_picker(component_id: str, **props) -> dcc.DatePickerSingle:
    """A date input that reads and shows yyyy-mm-dd in every browser (an html date input follows
    the browser's locale: mm/dd/yyyy under en-US); its value is the `date` property."""
    return dcc.DatePickerSingle(id=component_id, **{**DATE_FORMATS, "placeholder": DATE_PLACEHOLDER, **props})


def _localise_one(c) -> None:
    if isinstance(c, dcc.Dropdown):
        if getattr(c, "labels", None) is None:
            c.labels = DROPDOWN_LABELS
    elif isinstance(c, dcc.DatePickerSingle | dcc.DatePickerRange):
        for prop, value in DATE_FORMATS.items():
            if getattr(c, prop, None) is None:
                setattr(c, prop, value)
        if isinstance(c, dcc.DatePickerSingle) and getattr(c, "placeholder", None) is None:
            c.placeholder = DATE_PLACEHOLDER
        if isinstance(c, dcc.DatePickerRange):
            c.start_date_placeholder_text = getattr(c, "start_date_placeholder_text", None) or "开始日期"
            c.end_date_placeholder_text = getattr(c, "end_date_placeholder_text", None) or "结束日期"


def localise(layout):
    """Sets the Chinese texts and ISO formats on every dropdown and date picker in `layout`."""
    stack = [layout]
    while stack:
        c = stack.pop()
        if isinstance(c, list | tuple):
            stack.extend(c)
            continue
        if not hasattr(c, "_prop_names"):
            continue
        _localise_one(c)
        for prop in ("children", "label"):
            child = getattr(c, prop, None)
            if child is not None and not isinstance(child, str | int | float):
                stack.append(child)
    return layout


def localised(layout):
    """A page's layout (a component or a function making one) that `localise`s what it draws."""
    if not callable(layout):
        return localise(layout)
    if getattr(layout, "localised", False):  # the page registry is global: an app built again keeps it
        return layout

    def make(**kwargs):
        return localise(layout(**kwargs))

    make.localised = True
    return make
