"""Benchmark: importing a 100,000-row historical ledger (`make bench`; not part of the tests).
Issue 14 item 3.

Generates a ledger file of `--rows` lines (default 100,000: two-line vouchers, 50,000 of them,
spread over the villages of the demo township and the months of a year) as CSV (UTF-8) and as
.xlsx, on a fresh `test`-scale database (SQLite in a temporary directory; `--postgres` also on a
PostgreSQL server started like the tests start one). For each file it measures, as the township
accountant:

- parse + validate: `data.imports.service.preview` (read the file, type every cell, group and
  balance the vouchers, check them against the books): rows per second;
- commit: `data.imports.service.commit` (the same checks again inside the transaction, then the
  writes, the import record and its security-log entry, one transaction): rows per second for
  the whole call and for the write phase alone (from its first progress report to its last);
- peak memory: the largest Python allocation (tracemalloc, in a second, traced preview: tracing
  slows it several times, so it is not the timed one) and the process's peak resident set
  (psutil, sampled every 10 ms) over preview, traced preview and commit.

Prints one JSON line per database and file format.

    .venv/bin/python scripts/bench_import.py                 # SQLite, CSV and xlsx
    .venv/bin/python scripts/bench_import.py --postgres      # and PostgreSQL
"""
from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


class PeakRSS:
    def __init__(self):
        import psutil

        self.proc, self.peak, self._stop = psutil.Process(), 0, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            time.sleep(0.01)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_):
        self._stop.set()
        self.thread.join()


def ledger(villages: list[int], rows: int, year: int) -> tuple[list[str], list[list[str]]]:
    header = ["地区代码", "日期", "凭证号", "摘要", "科目代码", "借方金额", "贷方金额"]
    out = []
    for i in range(rows // 2):
        village = villages[i % len(villages)]
        number = i // len(villages) + 1
        day = f"{year}-{(number % 12) + 1:02d}-{(number % 28) + 1:02d}"
        amount = f"{(i % 9000) + 100}.{i % 100:02d}"
        out += [[str(village), day, str(number), "历史凭证导入", "102", amount, ""],
                [str(village), day, str(number), "历史凭证导入", "501", "", amount]]
    return header, out


def as_csv(header, rows) -> bytes:
    return ("\ufeff" + "\r\n".join(",".join(r) for r in [header, *rows]) + "\r\n").encode("utf-8")


def as_xlsx(header, rows) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("账簿")
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def measure(settings, who, kind: str, filename: str, content: bytes) -> dict:
    from data.imports import service
    from tests.support.app import TODAY

    with PeakRSS() as rss:
        t0 = time.perf_counter()
        p = service.preview(settings.database_url, who, kind, filename, content, TODAY)
        parse_s = time.perf_counter() - t0
        assert p["error_count"] == 0, p["errors"][:3]
        tracemalloc.start()  # a second, traced pass for the peak (tracing slows it several times)
        service.preview(settings.database_url, who, kind, filename, content, TODAY)
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        marks: list[float] = []
        t1 = time.perf_counter()
        out = service.commit(settings.database_url, settings.audit_key, who, kind, filename, content, TODAY,
                             progress=lambda done, total: marks.append(time.perf_counter()))
        commit_s = time.perf_counter() - t1
    rows = p["rows"]
    write_s = marks[-1] - marks[0] if len(marks) > 1 else commit_s
    return {"file": filename, "bytes": len(content), "rows": rows, "vouchers": out["written"],
            "parse_validate_s": round(parse_s, 2), "parse_validate_rows_per_s": round(rows / parse_s),
            "commit_s": round(commit_s, 2), "commit_rows_per_s": round(rows / commit_s),
            "write_phase_s": round(write_s, 2), "write_rows_per_s": round(rows / write_s),
            "parse_peak_python_mb": round(traced_peak / 2**20, 1), "peak_rss_mb": round(rss.peak / 2**20, 1)}


def run(url: str | None, label: str, rows: int) -> None:
    from tests.support.accounts import actor
    from tests.support.app import generate_test_data, make_settings
    from tests.support.imports import villages

    tmp = Path(tempfile.mkdtemp(prefix="bench-import-"))
    settings = generate_test_data(make_settings(tmp, url))
    who = actor(settings, "demo-township")
    inside, _ = villages(settings, who.scope)
    for year, (fmt, build) in zip((2001, 2002), (("csv", as_csv), ("xlsx", as_xlsx))):
        header, data = ledger(inside, rows, year)
        t = time.perf_counter()
        content = build(header, data)
        made = time.perf_counter() - t
        result = measure(settings, who, "ledger", f"ledger-{rows}.{fmt}", content)
        print(json.dumps({"database": label, "format": fmt, "file_generated_s": round(made, 1), **result},
                         ensure_ascii=False), flush=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--postgres", action="store_true", help="also on a PostgreSQL server started for the run")
    args = ap.parse_args(argv)
    run(None, "sqlite", args.rows)
    if args.postgres:
        from tests.support.postgres import PostgresServer

        server = PostgresServer()
        server.start()
        try:
            run(server.create_database("bench_import"), "postgresql", args.rows)
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
