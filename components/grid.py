"""A data grid that sorts, filters and pages, in Chinese (AG Grid via dash-ag-grid): every grid of
the platform is made here, so its labels, its empty state (暂无数据) and its row ids are set once."""
from __future__ import annotations

import dash_ag_grid as dag

from components.charts import EMPTY_TEXT

#: every text the community grid shows or announces (the keys of AG Grid 35's English defaults in
#: dash-ag-grid's bundle: pagination, overlays, the text / number / date filters, screen-reader labels)
LOCALE_ZH = {
    # pagination ("页 1 / 3", "1 至 20 / 45")
    "page": "页", "of": "/", "to": "至", "more": "更多", "pageLastRowUnknown": "?",
    "next": "下一页", "last": "末页", "first": "首页", "previous": "上一页",
    "firstPage": "首页", "lastPage": "末页", "nextPage": "下一页", "previousPage": "上一页",
    "pageSizeSelectorLabel": "每页行数：", "ariaPageSizeSelectorLabel": "每页行数",
    # overlays: the one empty state of every grid
    "loadingOoo": "加载中…", "loadingError": "加载失败", "noRowsToShow": EMPTY_TEXT,
    "noMatchingRows": "没有符合筛选条件的数据", "exportingOoo": "正在导出…",
    # filters
    "applyFilter": "应用", "clearFilter": "清除", "resetFilter": "重置", "cancelFilter": "取消",
    "textFilter": "文本筛选", "numberFilter": "数字筛选", "bigintFilter": "数字筛选", "dateFilter": "日期筛选",
    "setFilter": "选项筛选", "filterOoo": "筛选…", "empty": "请选择", "equals": "等于", "notEqual": "不等于",
    "lessThan": "小于", "greaterThan": "大于", "lessThanOrEqual": "小于或等于", "greaterThanOrEqual": "大于或等于",
    "inRange": "介于", "inRangeStart": "从", "inRangeEnd": "至", "contains": "包含", "notContains": "不包含",
    "startsWith": "开头是", "endsWith": "结尾是", "blank": "为空", "notBlank": "不为空", "blanks": "（空白）",
    "before": "早于", "after": "晚于", "andCondition": "且", "orCondition": "或", "dateFormatOoo": "yyyy-mm-dd",
    "selectAll": "全选", "searchOoo": "搜索…", "invalidDate": "日期无效", "invalidNumber": "数字无效",
    "invalidBigInt": "数字无效", "invalidSelectionValidation": "选择无效",
    "minDateValidation": "日期须晚于 ${variable}", "maxDateValidation": "日期须早于 ${variable}",
    "strictMinValueValidation": "须大于 ${variable}", "strictMaxValueValidation": "须小于 ${variable}",
    "filterSummaryInactive": "为（全部）", "filterSummaryContains": "包含", "filterSummaryNotContains": "不包含",
    "filterSummaryTextEquals": "等于", "filterSummaryTextNotEqual": "不等于", "filterSummaryStartsWith": "开头是",
    "filterSummaryEndsWith": "结尾是", "filterSummaryBlank": "为空", "filterSummaryNotBlank": "不为空",
    "filterSummaryInRange": "介于",
    "yesterday": "昨天", "today": "今天", "tomorrow": "明天", "last7Days": "最近7天", "lastWeek": "上周",
    "thisWeek": "本周", "nextWeek": "下周", "last30Days": "最近30天", "lastMonth": "上月", "thisMonth": "本月",
    "nextMonth": "下月", "last90Days": "最近90天", "lastQuarter": "上季度", "thisQuarter": "本季度",
    "nextQuarter": "下季度", "lastYear": "去年", "thisYear": "今年", "yearToDate": "今年以来", "nextYear": "明年",
    "last6Months": "最近6个月", "last12Months": "最近12个月", "last24Months": "最近24个月",
    # what a screen reader hears
    "ariaChecked": "已选中", "ariaUnchecked": "未选中", "ariaIndeterminate": "部分选中", "ariaColumnFiltered": "已筛选",
    "ariaDateFilterInput": "日期筛选输入", "ariaFilterInput": "筛选输入", "ariaFilterColumn": "按 Ctrl+Enter 打开筛选",
    "ariaFilterFromValue": "筛选起始值", "ariaFilterToValue": "筛选结束值", "ariaFilterValue": "筛选值",
    "ariaFilteringOperator": "筛选条件", "ariaFilterMenuOpen": "打开筛选菜单", "ariaLabelColumnFilter": "列筛选",
    "ariaLabelColumnMenu": "列菜单", "ariaLabelTooltip": "提示", "ariaMenuColumn": "按 Alt+↓ 打开列菜单",
    "ariaSortableColumn": "按 Enter 排序", "ariaSortableColumnWithCellSelection": "按 Alt+Enter 排序",
    "ariaRowSelectAll": "按空格键全选或取消全选", "ariaToggleCellValue": "按空格键切换",
    "ariaSkeletonCellLoading": "正在加载行数据", "ariaSkeletonCellLoadingFailed": "行数据加载失败",
    "ariaDeferSkeletonCellLoading": "正在加载单元格", "ariaInputEditor": "输入编辑器", "ariaPendingChange": "待保存的修改",
    "ariaHeaderSelection": "带表头选择的列", "ariaHasNote": "此单元格有备注", "ariaValidationErrorPrefix": "单元格校验",
    "ariaColumnCellSelection": "按 Enter 选择本列所有可见单元格",
    "ariaColumnGroupCellSelection": "按 Enter 选择本列组所有可见单元格",
    "ariaColumnGroupExpansion": "按 Enter 展开或折叠列组",
    "noMatches": "无匹配项", "selectAllSearchResults": "全选搜索结果",
    "thousandSeparator": ",", "decimalSeparator": ".",
}


def data_grid(grid_id: str, columns: list[dict], *, page_size: int = 20, selectable: bool = False,
              height: str = "520px", row_id: str = "params.data.id") -> dag.AgGrid:
    """A grid whose rows are identified by the expression `row_id` (as a string: AG Grid warns,
    #25, on any other id). Columns share the width by AG Grid's own flex layout: no re-fit by
    dash-ag-grid after every data change (a forced layout per update), and no "zero width" warning
    (#29) for a grid drawn in a tab that is not shown yet."""
    options = {"pagination": True, "paginationPageSize": page_size, "paginationPageSizeSelector": [20, 50, 100],
               "localeText": LOCALE_ZH, "animateRows": False, "enableCellTextSelection": True}
    if selectable:
        options["rowSelection"] = {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True}
    # a date column's filter is a text box for yyyy-mm-dd, not the browser's date picker (which
    # follows the browser's locale: mm/dd/yyyy under en-US)
    col_def = {"sortable": True, "filter": True, "resizable": True, "floatingFilter": True, "minWidth": 90, "flex": 1,
               "filterParams": {"browserDatePicker": False}}
    return dag.AgGrid(id=grid_id, columnDefs=columns, rowData=[], getRowId=f"'' + {row_id}", defaultColDef=col_def,
                      dashGridOptions=options, style={"height": height}, className="ag-theme-quartz")
