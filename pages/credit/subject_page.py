"""信用主体详情 (/credit/subject?id=): identity, credit records (each with its 依据文件), forest
rights with their mortgages and restriction notes, the collective-economy records of the same
identifier; forms for forestry bureaus to enter a record, a forest right (from a contracted forest
resource too) or an encumbrance, and for the data unit to reclassify a record (Art. X11–X12)."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.form import form_field
from components.grid import data_grid
from domain.credit import codes
from domain.permissions import Action

dash.register_page(__name__, group="林业信用",
                   path="/credit/subject", name="信用主体详情", order=202, title="信用主体详情", nav=False,
                   permission=Action.CREDIT_SUBJECT_VIEW)


def _opts(table: dict) -> list[dict]:
    return [{"label": v if isinstance(v, str) else v[1], "value": k} for k, v in table.items()]


RECORDS = [
    {"field": "occurred_on", "headerName": "日期", "minWidth": 115}, {"field": "kind_label", "headerName": "类别"},
    {"field": "title", "headerName": "记录", "minWidth": 200, "tooltipField": "title"},
    {"field": "severity", "headerName": "严重程度", "minWidth": 100},
    {"field": "publicity_until", "headerName": "公示截止", "minWidth": 115},
    {"field": "amount", "headerName": "金额（元）", "type": "rightAligned", "minWidth": 115},
    {"field": "open_label", "headerName": "开放属性", "minWidth": 110},
    {"field": "document", "headerName": "依据文件", "minWidth": 160, "tooltipField": "document"},
]
RIGHTS = [
    {"field": "unit_display", "headerName": "不动产单元代码", "minWidth": 260},
    {"field": "right_type", "headerName": "权利类型"}, {"field": "area_mu", "headerName": "面积（亩）", "type": "rightAligned"},
    {"field": "forest_type", "headerName": "林种"}, {"field": "species", "headerName": "优势树种"},
    {"field": "age_class", "headerName": "龄组"}, {"field": "stock_m3", "headerName": "蓄积量（m³）", "type": "rightAligned"},
    {"field": "location", "headerName": "位置（经度, 纬度）"},
    {"field": "encumbrance_text", "headerName": "抵押、限制备注", "minWidth": 160},
]
LINKED = [{"field": "kind", "headerName": "关联"}, {"field": "ref", "headerName": "编号"},
          {"field": "what", "headerName": "内容", "minWidth": 220}, {"field": "region_code", "headerName": "地区代码"},
          {"field": "date", "headerName": "日期", "maxWidth": 120}, {"field": "amount", "headerName": "金额（元）"}]


def _f(label, comp, fid):
    return form_field(label, comp, fid)


def _subject_form():
    return html.Div(className="panel", id="csd-edit-panel", hidden=True, children=[
        html.H2("更正主体信息"),
        _f("证件号码", dbc.Input(id="csd-edit-identifier", maxLength=40), "csd-edit-identifier"),
        _f("名称（姓名）", dbc.Input(id="csd-edit-name", maxLength=200), "csd-edit-name"),
        _f("法定代表人（负责人）", dbc.Input(id="csd-edit-legal-rep", maxLength=50), "csd-edit-legal-rep"),
        _f("联系电话", dbc.Input(id="csd-edit-phone", maxLength=20), "csd-edit-phone"),
        _f("地址", dbc.Input(id="csd-edit-address", maxLength=200), "csd-edit-address"),
        _f("所在村或县（12位区划代码）", dbc.Input(id="csd-edit-region", maxLength=12), "csd-edit-region"),
        dbc.Button("保存更正", id="csd-edit-submit", color="secondary"),
        html.Div(id="csd-edit-result", className="mt-2"),
    ])


def _record_form():
    return html.Div(className="panel", id="csd-rec-panel", hidden=True, children=[
        html.H2("录入信用记录"),
        _f("类别", dcc.Dropdown(id="csd-rec-kind", options=_opts(codes.RECORD_KINDS), value="good", clearable=False),
           "csd-rec-kind"),
        _f("具体类型", dcc.Dropdown(id="csd-rec-subtype", options=_opts({**codes.GOOD_TYPES, **codes.DISHONEST_TYPES,
                                                                          **codes.LIST_TYPES})), "csd-rec-subtype"),
        _f("记录名称（事由）", dbc.Input(id="csd-rec-title", maxLength=200), "csd-rec-title"),
        _f("发生（决定）日期", dbc.Input(id="csd-rec-date", type="date"), "csd-rec-date"),
        _f("严重程度（失信信息）", dcc.Dropdown(id="csd-rec-severity", options=_opts(codes.SEVERITIES)), "csd-rec-severity"),
        _f("公示期（月，空为最长）", dbc.Input(id="csd-rec-months", maxLength=3), "csd-rec-months"),
        _f("金额（元）", dbc.Input(id="csd-rec-amount", maxLength=20), "csd-rec-amount"),
        _f("文书号", dbc.Input(id="csd-rec-docno", maxLength=100), "csd-rec-docno"),
        _f("相对方（贷款机构等）", dbc.Input(id="csd-rec-counterparty", maxLength=100), "csd-rec-counterparty"),
        _f("贷款期限（月）", dbc.Input(id="csd-rec-term", maxLength=3), "csd-rec-term"),
        _f("还款计划（每行：日期,金额；空为按月等额）", dbc.Textarea(id="csd-rec-schedule", maxLength=2000), "csd-rec-schedule"),
        html.Div(className="muted-note mb-1",
                 children="林权流转：选择流转的林权宗地，成交即作为林权价格指数的样本（金额为成交总价）。"),
        _f("流转的林权（林权流转）", dcc.Dropdown(id="csd-rec-right"), "csd-rec-right"),
        _f("流转面积（亩，空为整宗）", dbc.Input(id="csd-rec-transfer-area", maxLength=20), "csd-rec-transfer-area"),
        _f("立地等级（1 最好至 5）", dcc.Dropdown(id="csd-rec-site", options=[{"label": str(i), "value": i}
                                                                      for i in range(1, 6)]), "csd-rec-site"),
        _f("数据来源", dcc.Dropdown(id="csd-rec-source", options=_opts({k: v for k, v in codes.SOURCES.items()
                                                                     if k != "import"}), value="platform",
                                  clearable=False), "csd-rec-source"),
        _f("来源系统（对接外部系统时）", dbc.Input(id="csd-rec-system", maxLength=100), "csd-rec-system"),
        _f("产生数据的部门（谁产生）", dbc.Input(id="csd-rec-produced", maxLength=100), "csd-rec-produced"),
        _f("负责单位（谁负责）", dbc.Input(id="csd-rec-responsible", maxLength=100), "csd-rec-responsible"),
        dbc.Button("保存记录", id="csd-rec-submit", color="primary"),
        html.Div(id="csd-rec-result", className="mt-2"),
    ])


def _right_form():
    return html.Div(className="panel", id="csd-right-panel", hidden=True, children=[
        html.H2("登记林权"),
        _f("来自已发包的林地资源（可选，带入面积和所在地）", dcc.Dropdown(id="csd-right-resource"), "csd-right-resource"),
        html.Div(id="csd-right-resource-note", className="small text-muted mb-2"),
        _f("不动产单元代码（28位）", dbc.Input(id="csd-right-code", maxLength=40), "csd-right-code"),
        _f("不动产权证号", dbc.Input(id="csd-right-cert", maxLength=60), "csd-right-cert"),
        _f("宗地所在村或县（12位区划代码）", dbc.Input(id="csd-right-region", maxLength=12), "csd-right-region"),
        _f("权利类型", dcc.Dropdown(id="csd-right-type", options=_opts(codes.RIGHT_TYPES)), "csd-right-type"),
        _f("面积（亩）", dbc.Input(id="csd-right-area", maxLength=20), "csd-right-area"),
        _f("林种", dcc.Dropdown(id="csd-right-forest", options=_opts(codes.FOREST_TYPES)), "csd-right-forest"),
        _f("优势树种", dcc.Dropdown(id="csd-right-species", options=list(codes.SPECIES)), "csd-right-species"),
        _f("龄组", dcc.Dropdown(id="csd-right-age-class", options=_opts(codes.AGE_CLASSES)), "csd-right-age-class"),
        _f("林龄（年）", dbc.Input(id="csd-right-age", maxLength=3), "csd-right-age"),
        _f("蓄积量（立方米）", dbc.Input(id="csd-right-stock", maxLength=20), "csd-right-stock"),
        _f("经度", dbc.Input(id="csd-right-lon", maxLength=20), "csd-right-lon"),
        _f("纬度", dbc.Input(id="csd-right-lat", maxLength=20), "csd-right-lat"),
        _f("范围（[[经度,纬度],…]，首尾相同，最多200点）", dbc.Textarea(id="csd-right-polygon", maxLength=2000),
           "csd-right-polygon"),
        dbc.Button("登记林权", id="csd-right-submit", color="primary"),
        html.Div(id="csd-right-result", className="mt-2"),
    ])


def _encumbrance_form():
    return html.Div(className="panel", id="csd-enc-panel", hidden=True, children=[
        html.H2("登记抵押或权利限制备注"),
        html.P("权利限制备注单独记载，不改变林权的权属信息。", className="text-muted small"),
        _f("林权", dcc.Dropdown(id="csd-enc-right"), "csd-enc-right"),
        _f("类型", dcc.Dropdown(id="csd-enc-kind", options=_opts(codes.ENCUMBRANCES), value="mortgage", clearable=False),
           "csd-enc-kind"),
        _f("抵押权人", dbc.Input(id="csd-enc-holder", maxLength=100), "csd-enc-holder"),
        _f("担保金额（元）", dbc.Input(id="csd-enc-amount", maxLength=20), "csd-enc-amount"),
        _f("登记日期", dbc.Input(id="csd-enc-date", type="date"), "csd-enc-date"),
        _f("到期日期", dbc.Input(id="csd-enc-until", type="date"), "csd-enc-until"),
        _f("备注内容", dbc.Textarea(id="csd-enc-note", maxLength=2000), "csd-enc-note"),
        dbc.Button("登记", id="csd-enc-submit", color="primary"),
        html.Div(id="csd-enc-result", className="mt-2"),
    ])


def _reclass_form():
    return html.Div(className="panel", id="csd-rc-panel", hidden=True, children=[
        html.H2("调整开放、共享属性"),
        html.P("先在信用记录表中选择一条记录。调整为更开放的属性须依法经过脱敏处理或经相关权利人同意；"
               "调整为更不开放的属性须说明理由。", className="text-muted small"),
        _f("开放属性", dcc.Dropdown(id="csd-rc-open", options=_opts(codes.OPEN_CLASSES)), "csd-rc-open"),
        _f("共享属性", dcc.Dropdown(id="csd-rc-share", options=_opts(codes.SHARE_CLASSES)), "csd-rc-share"),
        _f("依据", dcc.Dropdown(id="csd-rc-ground", options=_opts(codes.RECLASS_GROUNDS)), "csd-rc-ground"),
        _f("说明（理由）", dbc.Input(id="csd-rc-note", maxLength=150), "csd-rc-note"),
        _f("权利人同意书", dcc.Upload(id="csd-rc-file", multiple=False, children=html.Div(["选择文件"]),
                                  style={"border": "1px dashed #adb5bd", "padding": "0.5rem", "textAlign": "center"}),
           "csd-rc-file"),
        dbc.Button("调整", id="csd-rc-submit", color="primary"),
        html.Div(id="csd-rc-result", className="mt-2"),
    ])


def layout(id=None, **_):
    return html.Div([
        dcc.Store(id="csd-subject-id", data=id),
        dcc.Store(id="csd-refresh", data=0),
        dcc.Store(id="csd-subject"),
        html.Div(className="row g-3", children=[
            html.Div(className="col-xl-8", children=[
                html.Div(className="panel", children=[html.H2("主体信息"), html.Div(id="csd-identity")]),
                html.Div(className="panel", children=[
                    html.H2("信用记录"), data_grid("csd-records", RECORDS, selectable=True, height="340px"),
                    html.Div(id="csd-record-detail", className="mt-2")]),
                html.Div(className="panel", children=[html.H2("林权及抵押、限制备注"),
                                                      data_grid("csd-rights", RIGHTS, height="260px")]),
                html.Div(className="panel", children=[html.H2("关联的集体经济记录（同一证件号码）"),
                                                      data_grid("csd-linked", LINKED, height="220px")]),
            ]),
            html.Div(className="col-xl-4", children=[_subject_form(), _record_form(), _right_form(), _encumbrance_form(),
                                                      _reclass_form()]),
        ]),
    ])
