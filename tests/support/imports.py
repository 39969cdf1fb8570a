"""Import files for the tests (CSV in UTF-8 or GBK, .xlsx, .xls) and driving the import page's
callbacks the way the browser does, the background one included (start the job, then poll it with
its signed handles until it answers)."""
from __future__ import annotations

import base64
import io
import json
import re
import time

from sqlalchemy import func, select

from callbacks.imports import flow
from data.db import reading
from data.models import CollectiveOrg, DataImport, Voucher
from server.callbacks import callback_named
from tests.support.http import _outputs, call, props

LEDGER_HEADER = ["地区代码", "日期", "凭证号", "摘要", "科目代码", "借方金额", "贷方金额"]


def ledger_rows(region: int, vouchers: int, *, year: int = 2019, first: int = 1, summary: str = "收到发包款",
                debit: int = 102, credit: int = 501, amount: str = "5000.00") -> list[list[str]]:
    """`vouchers` balanced two-line vouchers of one village, spread over the year's months."""
    out = []
    for n in range(first, first + vouchers):
        day = f"{year}-{(n % 12) + 1:02d}-05"
        out += [[str(region), day, str(n), summary, str(debit), amount, ""],
                [str(region), day, str(n), summary, str(credit), "", amount]]
    return out


def csv_bytes(header: list[str], rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    lines = [",".join(header), *(",".join(r) for r in rows)]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(header: list[str], rows: list[list], title: str | None = None) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xls_bytes(header: list[str], rows: list[list]) -> bytes:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("数据")
    for i, r in enumerate([header, *rows]):
        for j, v in enumerate(r):
            ws.write(i, j, v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(content: bytes) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(content).decode()


def preview(app, client, kind: str, filename: str, content: bytes):
    return call(app, client, flow.preview, props(("imp-file", "contents", upload(content)), ("imp-kind", "value", kind)),
                props(("imp-file", "filename", filename)))


def end_id(client) -> str:
    """The page load's signed end id (the renderer echoes it on every callback request)."""
    html = client.get("/", follow_redirects=True).get_data(as_text=True)  # a member is sent on to /portal
    config = re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(config.group(1))["end_id"]


def _commit_body(app, kind: str, filename: str, content: bytes) -> dict:
    out = callback_named(app, flow.commit)
    return {"output": out, "outputs": _outputs(out), "inputs": props(("imp-commit", "n_clicks", 1)),
            "changedPropIds": ["imp-commit.n_clicks"],
            "state": props(("imp-file", "contents", upload(content)), ("imp-file", "filename", filename),
                           ("imp-kind", "value", kind), ("imp-refresh", "data", 0))}


def start_commit(app, client, kind: str, filename: str, content: bytes):
    """Start the background import; (the answer, the handles to poll with, the request body)."""
    eid = end_id(client)
    body = _commit_body(app, kind, filename, content)
    resp = client.post("/_dash-update-component", query_string={"endId": eid}, json=body)
    handles = resp.get_json() if resp.status_code == 200 else None
    return resp, ({"endId": eid, "cacheKey": handles["cacheKey"], "job": handles["job"]} if handles else None), body


def poll(client, handles: dict, body: dict, timeout_s: float = 120) -> tuple[dict, list[dict]]:
    """Poll the job until it answers: (its final JSON, every progress update seen)."""
    seen = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        resp = client.post("/_dash-update-component", query_string=handles, json=body)
        assert resp.status_code in (200, 204), (resp.status_code, resp.get_data(as_text=True)[:300])
        got = resp.get_json(silent=True) or {}
        if "progress" in got:
            seen.append(got["progress"])
        if "response" in got:
            return got, seen
        time.sleep(0.2)
    raise AssertionError("the background import did not answer in time")


def commit(app, client, kind: str, filename: str, content: bytes) -> tuple[dict, list[dict]]:
    """The import through the background callback, to its answer: (final JSON, progress updates)."""
    resp, handles, body = start_commit(app, client, kind, filename, content)
    assert resp.status_code == 200, (resp.status_code, resp.get_data(as_text=True)[:300])
    return poll(client, handles, body)


def result_text(final: dict) -> str:
    from tests.support.http import text

    return text(final["response"]["imp-commit-result"]["children"])


def imported_vouchers(settings, summary: str) -> int:
    with reading(settings.database_url) as s:
        return s.scalar(select(func.count()).select_from(Voucher).where(Voucher.source == "import",
                                                                        Voucher.summary == summary))


def import_records(settings, sha256: str | None = None) -> list[tuple[str, str]]:
    with reading(settings.database_url) as s:
        q = select(DataImport.filename, DataImport.result).order_by(DataImport.id)
        if sha256:
            q = q.where(DataImport.sha256 == sha256)
        return [tuple(r) for r in s.execute(q)]


def villages(settings, scope) -> tuple[list[int], list[int]]:
    """Villages with an organisation inside `scope` and outside it."""
    with reading(settings.database_url) as s:
        codes = [int(c) for c in s.scalars(select(CollectiveOrg.region_code).order_by(CollectiveOrg.region_code))]
    return [c for c in codes if scope.contains(c)], [c for c in codes if not scope.contains(c)]
