"""Benchmark: the batch import of credit data on an authoritative document (issue 15, Art. X18;
not part of the tests). On a fresh `test`-scale SQLite database, a county forestry user imports
subsidy lists (资金到户) of `--rows` households each (default 1,000 and 10,000; every household a
new subject): `data.credit.batch.preview` (read and check every row) and `commit` (the checks again
inside the transaction, the batch with its document, bulk inserts of the subjects and records).
Prints one JSON line per size.

    .venv/bin/python scripts/bench_credit_import.py [--rows 1000 10000]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TODAY = dt.date(2026, 11, 22)
HEADER = "地区代码,主体类型,证件号码,名称,项目名称,发放日期,金额（元）,产生部门"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    from data.credit import batch
    from domain.credit.batch import DocumentDraft
    from tests.support.app import generate_test_data, make_settings
    from tests.support.business import actor
    from tests.support.credit import resident_id
    from tests.support.credit_entry import credit_env_on

    settings = generate_test_data(make_settings(Path(tempfile.mkdtemp(prefix="bench-credit-"))))
    env = credit_env_on(settings)
    who = actor(settings, "cc-county")
    seen: set[str] = set()
    for n in args.rows:
        lines, i = [HEADER], 0
        while len(lines) <= n:
            i += 1
            k = len(seen)
            rid = resident_id(env.county, birth=dt.date(1950, 1, 1) + dt.timedelta(days=k // 999), n=k % 999)
            if rid not in seen:
                seen.add(rid)
                lines.append(f"{env.village},自然人,{rid},林户{n}-{i},生态公益林补偿,2026-06-30,100.00,县林业局")
        content = ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")
        doc = DocumentDraft("补偿资金通知", f"测〔2026〕{n}号", "县林业局", dt.date(2026, 7, 1), "通知.pdf", b"%PDF-1.4")
        t = time.perf_counter()
        p = batch.preview(settings.database_url, who, "subsidy", "a.csv", content, TODAY)
        preview_s = time.perf_counter() - t
        t = time.perf_counter()
        out = batch.commit(settings.database_url, settings.audit_key, who, "subsidy", "a.csv", content, doc, TODAY)
        commit_s = time.perf_counter() - t
        print(json.dumps({"rows": n, "errors": p["error_count"], "preview_s": round(preview_s, 2),
                          "commit_s": round(commit_s, 2), "rows_per_s": round(n / commit_s),
                          "subjects_created": out["subjects_created"]}))


if __name__ == "__main__":
    main()
