"""The national report's rows for every village of a region and year, read from the ledger and the
registers in a handful of aggregate queries (no per-village round trips), and checked
(domain.sync.checks) and validated against the format's own JSON Schemas (domain.sync.schema)."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from jsonschema import Draft202012Validator
from sqlalchemy import text

from data.db import reading
from domain.regions import TOWNSHIP, VILLAGE, COUNTY, subtree_bounds, truncate
from domain.sync import checks
from domain.sync.schema import TABLES, json_schema

#: problems listed in a report (the counts are always complete)
MAX_LISTED = 2000

_SQL = {
    "ledger": "SELECT region_code, account_code, "
              "SUM(debit_fen - credit_fen) AS bal, "
              "SUM(CASE WHEN period >= :start THEN debit_fen - credit_fen ELSE 0 END) AS flow "
              "FROM voucher_lines WHERE region_code BETWEEN :lo AND :hi AND period <= :end "
              "GROUP BY region_code, account_code",
    "orgs": "SELECT region_code, COUNT(*) FROM collective_orgs WHERE region_code BETWEEN :lo AND :hi GROUP BY region_code",
    "profiles": "SELECT o.region_code, SUM(p.village_groups), SUM(p.households), SUM(p.population), "
                "SUM(p.labour_force), SUM(CAST(ROUND(p.farmland_mu * 10000) AS BIGINT)) FROM village_profiles p "
                "JOIN collective_orgs o ON o.id = p.org_id WHERE o.region_code BETWEEN :lo AND :hi GROUP BY o.region_code",
    "resources": "SELECT region_code, type, COUNT(*), SUM(CAST(ROUND(area_mu * 10000) AS BIGINT)), "
                 "SUM(CASE WHEN contracted THEN CAST(ROUND(area_mu * 10000) AS BIGINT) ELSE 0 END) FROM resources "
                 "WHERE region_code BETWEEN :lo AND :hi GROUP BY region_code, type",
    "assets": "SELECT region_code, operating, COUNT(*), SUM(original_value_fen), "
              "SUM(original_value_fen - accumulated_depreciation_fen) FROM assets "
              "WHERE region_code BETWEEN :lo AND :hi AND status <> 'disposed' GROUP BY region_code, operating",
    "checks": "SELECT region_code, SUM(book_assets_fen), SUM(verified_assets_fen) FROM annual_checks "
              "WHERE region_code BETWEEN :lo AND :hi AND year = :year GROUP BY region_code",
}


def _area(ten_thousandths) -> str:
    return f"{Decimal(int(ten_thousandths or 0)).scaleb(-4):.4f}"


def read(url: str, region: int, year: int) -> dict:
    """The raw aggregates of `region`'s villages for `year`."""
    lo, hi = subtree_bounds(region)
    args = {"lo": lo, "hi": hi, "start": year * 100 + 1, "end": year * 100 + 12, "year": year}
    with reading(url) as s:
        return {k: s.execute(text(sql), args).all() for k, sql in _SQL.items()}


def build(raw: dict, year: int, tree) -> tuple[dict[str, list[dict]], dict[int, list[dict]], list[int]]:
    """(rows per table, problems per village, the villages in order) from `read`'s aggregates."""
    ledger: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    for code, account, bal, flow in raw["ledger"]:
        ledger[int(code)][int(account)] = (int(bal or 0), int(flow or 0))
    orgs = {int(c): int(n) for c, n in raw["orgs"]}
    villages = sorted(set(orgs) | set(ledger))
    profiles = {int(r[0]): r[1:] for r in raw["profiles"]}
    assets: dict[int, dict[bool, tuple]] = defaultdict(dict)
    for code, operating, n, original, net in raw["assets"]:
        assets[int(code)][bool(operating)] = (int(n), int(original or 0), int(net or 0))
    annual = {int(c): (int(b or 0), int(v or 0)) for c, b, v in raw["checks"]}
    rows: dict[str, list[dict]] = {t.name: [] for t in TABLES}
    found: dict[int, list[dict]] = {}
    for code in villages:
        base = {"region_code": code, "year": year}
        bal = ledger.get(code, {})
        fig = checks.figures(bal)
        wrong = checks.problems(bal, fig)
        if wrong:
            found[code] = wrong
        p = profiles.get(code, (0, 0, 0, 0, 0))
        rows["basic_situation"].append({**base, "village_name": _name(tree, code), "township_code": truncate(code, TOWNSHIP),
                                        "county_code": truncate(code, COUNTY), "collective_orgs": orgs.get(code, 0),
                                        "village_groups": int(p[0] or 0), "households": int(p[1] or 0),
                                        "population": int(p[2] or 0), "labour_force": int(p[3] or 0),
                                        "farmland_mu": _area(p[4])})
        book, verified = annual.get(code, (None, None))
        for table in ("balance_sheet", "income_distribution", "monetary_funds", "claims_debts"):
            source = checks.claims_debts(bal) if table == "claims_debts" else fig
            row = {**base, **{f: source[f] for f in TABLE_BY_FIELDS[table] if f in source}}
            if table == "balance_sheet":
                row.update(check_book_assets_fen=book, verified_assets_fen=verified)
            rows[table].append(row)
        op, non = assets.get(code, {}).get(True, (0, 0, 0)), assets.get(code, {}).get(False, (0, 0, 0))
        rows["operating_assets"].append({**base, "operating_count": op[0], "operating_original_fen": op[1],
                                         "operating_net_fen": op[2], "non_operating_count": non[0],
                                         "non_operating_original_fen": non[1], "non_operating_net_fen": non[2]})
    for code, rtype, n, area, contracted in sorted(raw["resources"], key=lambda r: (int(r[0]), str(r[1]))):
        rows["resources"].append({"region_code": int(code), "year": year, "type": str(rtype), "parcels": int(n),
                                  "area_mu": _area(area), "contracted_area_mu": _area(contracted)})
    _validate_rows(rows, found)
    return rows, found, villages


TABLE_BY_FIELDS = {t.name: [f.name for f in t.fields] for t in TABLES}
_VALIDATORS = {t.name: Draft202012Validator(json_schema(t)) for t in TABLES}


def _validate_rows(rows: dict[str, list[dict]], found: dict[int, list[dict]]) -> None:
    """Every row against its table's schema; a village with a row that does not conform fails."""
    for name, table_rows in rows.items():
        v = _VALIDATORS[name]
        for row in table_rows:
            if v.is_valid(row):
                continue
            err = next(iter(v.iter_errors(row)))
            where = "/".join(str(p) for p in err.absolute_path) or "（整行）"
            found.setdefault(int(row.get("region_code") or 0), []).append(checks.problem(
                "schema", 0, 0, f"{name} 表字段 {where} 不符合接口规范：{err.message[:200]}"))


def _name(tree, code: int) -> str:
    try:
        return tree.name(code) or str(code)
    except (KeyError, IndexError):
        return str(code)


def report(found: dict[int, list[dict]], villages: list[int], tree, year: int, region: int) -> dict:
    """The validation report: counts, and each failing village's problems in Chinese (first MAX_LISTED)."""
    listed = []
    for code in sorted(found):
        for p in found[code]:
            if len(listed) >= MAX_LISTED:
                break
            listed.append({"region_code": code, "village": _name(tree, code),
                           "township": _name(tree, truncate(code, TOWNSHIP)) if code >= 10**11 else "", **p})
    passed = sum(1 for c in villages if c not in found)
    return {"year": year, "scope_region": region, "villages_total": len(villages), "villages_failed": len(found),
            "villages_passed": passed,
            "checks": [checks.CHECK_LABELS[k] for k in ("balance", "profit", "accounts", "schema")],
            "problems": listed, "problems_total": sum(len(v) for v in found.values()),
            "ok": not found, "level": VILLAGE}
