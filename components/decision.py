"""The confirmation of an approval step, one factory for every approve / reject in the app.

A click on 同意, 驳回, 撤回 or 办结 does not act: it opens this dialog (确认审批 / 确认驳回 …) naming
the record, with the opinion field (审批意见: optional to approve, required to reject, bounded
like the server bounds it). Only its 确认 button acts, and it is disabled while the request runs;
a refusal keeps the dialog open with the message under the opinion. `pending` (a dcc.Store)
holds what the dialog will decide: {"decision", "id", "version"} of the record as it was shown.

    DIALOG = DecisionDialog("funds-decide")
    page:      *DIALOG.draw()
    callbacks: opening — Outputs DIALOG.open_outputs(), returns DIALOG.opened(decision, summary, target)
               acting  — Inputs DIALOG.confirm_input(), States DIALOG.states(), Outputs
                         DIALOG.result_outputs(), running=DIALOG.running(); returns DIALOG.done() or
                         DIALOG.refused(message)
               cancel  — the clientside callback callbacks.common.register_dialog(DIALOG) adds
"""
from __future__ import annotations

from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html, no_update

from components.form import form_field
from domain.approvals import DECISIONS, OPINION_MAX

#: decision -> the colour of its confirm button
COLORS = {"approve": "success", "reject": "danger", "withdraw": "warning", "close": "danger"}


@dataclass(frozen=True)
class DecisionDialog:
    prefix: str
    #: what the dialog names the record it decides ("申请", "预警")
    noun: str = "申请"
    #: decisions that take no opinion field (办结 of a verified warning: the verification holds it)
    silent: frozenset[str] = frozenset()

    @property
    def modal(self) -> str:
        return f"{self.prefix}-modal"

    @property
    def title(self) -> str:
        return f"{self.prefix}-title"

    @property
    def summary(self) -> str:
        return f"{self.prefix}-summary"

    @property
    def opinion(self) -> str:
        return f"{self.prefix}-opinion"

    @property
    def opinion_error(self) -> str:
        return f"{self.prefix}-opinion-error"

    @property
    def help(self) -> str:
        return f"{self.prefix}-help"

    @property
    def field(self) -> str:
        return f"{self.prefix}-opinion-field"

    @property
    def confirm(self) -> str:
        return f"{self.prefix}-confirm"

    @property
    def cancel(self) -> str:
        return f"{self.prefix}-cancel"

    @property
    def pending(self) -> str:
        return f"{self.prefix}-pending"

    # ---------------------------------------------------------------- the page

    def draw(self) -> list:
        opinion = dbc.Textarea(id=self.opinion, maxLength=OPINION_MAX, rows=3,
                               placeholder=f"审批意见（不超过{OPINION_MAX}字）")
        return [dcc.Store(id=self.pending), dbc.Modal(id=self.modal, is_open=False, backdrop="static", centered=True,
                                                      children=[
            dbc.ModalHeader(dbc.ModalTitle(id=self.title), close_button=False),
            dbc.ModalBody([html.Div(id=self.summary, className="mb-2"),
                           html.Div(id=self.field, children=[
                               form_field("审批意见", opinion, self.opinion, className="mb-1"),
                               html.Div(id=self.help, className="form-text mt-0")])]),
            dbc.ModalFooter([dbc.Button("取消", id=self.cancel, color="secondary", outline=True),
                             dbc.Button("确认", id=self.confirm, color="primary")]),
        ])]

    # ---------------------------------------------------------------- the callbacks

    def open_outputs(self) -> list[Output]:
        return [Output(self.modal, "is_open"), Output(self.title, "children"), Output(self.summary, "children"),
                Output(self.help, "children"), Output(self.field, "hidden"), Output(self.confirm, "children"),
                Output(self.confirm, "color"), Output(self.opinion, "value"), Output(self.opinion_error, "children"),
                Output(self.pending, "data")]

    def opened(self, decision: str, summary, target: dict) -> tuple:
        """What `open_outputs()` show to confirm `decision` (a key of domain.approvals.DECISIONS)
        on `target` ({"id", "version", ...}: the record as the page showed it)."""
        verb, title, required = DECISIONS[decision]
        help_text = f"{verb}须填写审批意见（{verb}理由），不超过{OPINION_MAX}字。" if required else \
            f"审批意见可不填，不超过{OPINION_MAX}字。"
        return (True, title, summary, help_text, decision in self.silent, f"确认{verb}", COLORS.get(decision, "primary"),
                "", "", {**target, "decision": decision})

    def unchanged(self) -> tuple:
        return tuple(no_update for _ in self.open_outputs())

    def confirm_input(self) -> Input:
        return Input(self.confirm, "n_clicks")

    def states(self) -> list[State]:
        """The pending decision, then the opinion typed."""
        return [State(self.pending, "data"), State(self.opinion, "value")]

    def result_outputs(self) -> list[Output]:
        return [Output(self.modal, "is_open", allow_duplicate=True),
                Output(self.opinion_error, "children", allow_duplicate=True)]

    def running(self) -> list[tuple]:
        """`running=` of the acting callback: its buttons disabled while the request runs."""
        return [(Output(self.confirm, "disabled"), True, False), (Output(self.cancel, "disabled"), True, False)]

    def done(self) -> tuple:
        return False, ""

    def refused(self, message) -> tuple:
        """The dialog stays open with `message` under the opinion."""
        return True, message

    def closed(self) -> tuple:
        """The dialog closes, the outcome shown on the page (a refusal of the step itself)."""
        return False, ""


def pending_decision(pending, allowed) -> tuple[str, int, int] | None:
    """(decision, record id, version) of a dialog's pending store, when it names one of `allowed`."""
    if not isinstance(pending, dict) or pending.get("decision") not in allowed:
        return None
    try:
        return pending["decision"], int(pending["id"]), int(pending.get("version") or 0)
    except (KeyError, TypeError, ValueError):
        return None
