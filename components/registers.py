"""The page of a security register, drawn from its declaration (domain.registers): the grid of
entries with the selected one's trail, the export button, the create form and one form per step
(each a guarded section: shown only to roles that may take it). Every form is a components.form
`Form`, so the callbacks read its values and put each refusal under its field."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.citation import cited
from components.form import Field, Form
from components.grid import data_grid
from components.readonly import guarded
from domain.citations import Cite
from domain.registers.base import Register, Step

_KINDS = {"text": "text", "textarea": "textarea", "date": "date", "select": "select", "mac": "text"}


def ids(register: Register) -> dict[str, str]:
    k = f"reg-{register.key}"
    return {"grid": f"{k}-grid", "refresh": f"{k}-refresh", "detail": f"{k}-detail", "export": f"{k}-export",
            "download": f"{k}-download", "result": f"{k}-result", "export_result": f"{k}-export-result"}


def form_for(register: Register, step: Step) -> Form:
    prefix = f"reg-{register.key}-{step.key}"
    return Form(prefix, tuple(Field(i.name, f"{prefix}-{i.name}", i.label, _KINDS[i.kind], options=i.options,
                                    max_length=i.max_length if i.kind in ("text", "textarea", "mac") else None,
                                    placeholder=i.placeholder) for i in step.inputs))


def section_id(register: Register, step: Step) -> str:
    return f"reg-{register.key}-{step.key}-section"


def submit_id(register: Register, step: Step) -> str:
    return f"reg-{register.key}-{step.key}-submit"


def step_result_id(register: Register, step: Step) -> str:
    return f"reg-{register.key}-{step.key}-result"


def _step_panel(register: Register, step: Step, create: bool):
    form = form_for(register, step)
    states = "、".join(register.state_label(s) for s in step.from_states)
    hint = "登记后出现在左侧台账中。" if create else f"先在台账中选中一条“{states}”的记录。"
    return html.Div(className="panel mb-3", children=[
        html.H2(f"{step.label}" if create else step.label, className="h6"),
        guarded(section_id(register, step), [
            html.P(hint, className="text-muted small mb-2"),
            *form.draw(), form.form_error(),
            dbc.Button(step.label, id=submit_id(register, step), color="primary" if create else "secondary",
                       size="sm", className="mt-1"),
            html.Div(id=step_result_id(register, step), className="mt-2"),
        ]),
    ])


def columns(register: Register) -> list[dict]:
    return [{"field": "id", "headerName": "编号", "maxWidth": 90}, {"field": "title", "headerName": "事项", "minWidth": 160},
            {"field": "region_name", "headerName": "单位"},
            *[{"field": c, "headerName": h, "minWidth": 150 if c in ("mac", "opened_at", "closed_at") else 90}
              for c, h in register.columns],
            {"field": "state_label", "headerName": "状态"}, {"field": "created_at", "headerName": "登记时间"}]


def register_layout(register: Register, article: Cite, intro: str):
    i = ids(register)
    return html.Div([
        dcc.Store(id=i["refresh"], data=0), dcc.Download(id=i["download"]),
        html.Div(className="row g-3", children=[
            html.Div(className="col-xl-8", children=html.Div(className="panel", children=[
                html.Div(className="d-flex justify-content-between align-items-center", children=[
                    html.H2(register.title),
                    dbc.Button("导出 Excel", id=i["export"], color="light", size="sm")]),
                html.P(cited(intro, article), className="text-muted small"),
                data_grid(i["grid"], columns(register), selectable=True, height="420px"),
                html.Div(id=i["export_result"], className="mt-2"),
                html.H3("办理记录", className="h6 mt-3"),
                html.Div(id=i["detail"], children=html.Div("选中一条记录查看其全部办理经过。", className="text-muted small")),
            ])),
            html.Div(className="col-xl-4", children=[
                _step_panel(register, register.create, True),
                *[_step_panel(register, s, False) for s in register.steps],
            ]),
        ]),
    ])


def trail_block(steps: list[dict]):
    if not steps:
        return html.Div("暂无办理记录。", className="text-muted small")
    return html.Ol([html.Li(className="mb-2", children=[
        html.Div([html.Span(s["step"], className="fw-semibold me-2"), html.Span(f"→ {s['to']}", className="me-2"),
                  html.Span(f"{s['at']} {s['by']}", className="text-muted small")]),
        html.Div("；".join(f"{k}：{v}" for k, v in s["facts"]), className="small") if s["facts"] else None,
    ]) for s in steps], className="ps-3 mb-0")
