"""A data grid that sorts, filters and pages, with Chinese labels (AG Grid via dash-ag-grid)."""
from __future__ import annotations

import dash_ag_grid as dag

LOCALE_ZH = {
    "page": "页", "of": "/", "to": "至", "more": "更多", "next": "下一页", "last": "末页", "first": "首页",
    "previous": "上一页", "loadingOoo": "加载中…", "noRowsToShow": "没有数据", "filterOoo": "筛选…",
    "equals": "等于", "notEqual": "不等于", "contains": "包含", "notContains": "不包含", "startsWith": "开头是",
    "endsWith": "结尾是", "blank": "为空", "notBlank": "不为空", "lessThan": "小于", "greaterThan": "大于",
    "andCondition": "且", "orCondition": "或", "applyFilter": "应用", "resetFilter": "重置", "clearFilter": "清除",
    "pageSizeSelectorLabel": "每页行数：", "selectAll": "全选", "searchOoo": "搜索…",
    "ariaPageSizeSelectorLabel": "每页行数", "inRange": "介于", "before": "早于", "after": "晚于",
    "dateFormatOoo": "yyyy-mm-dd", "inRangeStart": "从", "inRangeEnd": "至", "noMatches": "无匹配项",
    "selectAllSearchResults": "全选搜索结果", "blanks": "（空白）",
}


def data_grid(grid_id: str, columns: list[dict], *, page_size: int = 20, selectable: bool = False,
              height: str = "520px", row_id: str = "params.data.id", flex: bool = False) -> dag.AgGrid:
    """`flex`: columns share the width by AG Grid's own flex layout (no re-fit by dash-ag-grid after
    every data change, which costs a forced layout per update on a grid that changes often)."""
    options = {"pagination": True, "paginationPageSize": page_size, "paginationPageSizeSelector": [20, 50, 100],
               "localeText": LOCALE_ZH, "animateRows": False, "enableCellTextSelection": True}
    if selectable:
        options["rowSelection"] = {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True}
    # a date column's filter is a text box for yyyy-mm-dd, not the browser's date picker (which
    # follows the browser's locale: mm/dd/yyyy under en-US)
    col_def = {"sortable": True, "filter": True, "resizable": True, "floatingFilter": True, "minWidth": 90,
               "filterParams": {"browserDatePicker": False}}
    sizing = {}
    if flex:
        col_def["flex"] = 1
    else:
        sizing["columnSize"] = "responsiveSizeToFit"
    return dag.AgGrid(id=grid_id, columnDefs=columns, rowData=[], getRowId=row_id, defaultColDef=col_def,
                      dashGridOptions=options, style={"height": height}, className="ag-theme-quartz", **sizing)
