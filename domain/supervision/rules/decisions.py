"""四议两公开: major decisions without a resolution, payments before approval, and a resolution
recorded, confirmed or cited by the same person."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl

from .base import Finding, Frames, make_finding, iso_date, org_thresholds, yuan


def _valid_resolution(frame: pl.DataFrame, res: pl.DataFrame, date_col: str, types: pl.Expr,
                      subject: str | None = None) -> pl.DataFrame:
    """`frame` with a boolean `resolved`: its `resolution_id` names a passed resolution of the same
    organisation, of an allowed decision type (`types`, an expression over the row), held no
    later than `date_col`, and (for assets) about this asset or none. The resolution's amount
    limit is not tested, as in the entry forms (domain.funds, domain.assets, data.trading)."""
    r = res.select("resolution_id", pl.col("org_id").alias("res_org"), "decision_type", "passed", "held_on",
                   "amount_limit_fen", pl.col("subject_type").alias("res_subject_type"),
                   pl.col("subject_id").alias("res_subject_id"))
    j = frame.join(r, on="resolution_id", how="left")
    ok = (pl.col("res_org") == pl.col("org_id")) & pl.col("passed").fill_null(False) & types \
        & (pl.col("held_on") <= pl.col(date_col))
    if subject:
        ok = ok & ((pl.col("res_subject_type") != "asset").fill_null(True) | pl.col("res_subject_id").is_null()
                   | (pl.col("res_subject_id") == pl.col(subject)))
    return j.with_columns(ok.fill_null(False).alias("resolved"))


CONTRACT_DECISION = {"lease": "lease", "contracting": "lease", "transfer": "transfer"}
ACT_LABELS = {"disposal": "处置", "lease": "出租", "pledge": "抵押"}


def check_no_resolution(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    """Payments, lease/transfer contracts and borrowings of the organisation's decision threshold
    or more (>=, as `domain.meetings.requires_resolution`), and every asset disposal, lease or pledge
    (as `domain.assets`), without a passed resolution that voted that kind of decision before."""
    th = org_thresholds(f["orgs"], "decision_threshold_fen", p["default_threshold_fen"])
    res = f["resolutions"]
    out: list[Finding] = []

    pay = (f["payments"].filter((pl.col("kind") == "payment") & (pl.col("status") != "rejected"))
           .with_columns(pl.coalesce("paid_on", "request_date").alias("day"))
           .join(th, on="org_id", how="left").with_columns(pl.col("threshold_fen").fill_null(p["default_threshold_fen"]))
           .filter(pl.col("amount_fen") >= pl.col("threshold_fen")))
    pay = _valid_resolution(pay, res, "day", pl.col("decision_type") == "payment").filter(~pl.col("resolved"))
    for r in pay.iter_rows(named=True):
        out.append(make_finding("no_resolution", r, "payment_request", r["id"],
                                f"付款{yuan(r['amount_fen'])}（{r['purpose']}）达到决策限额{yuan(r['threshold_fen'])}，无有效会议决议",
                                {"payment_request_id": r["id"], "amount_fen": r["amount_fen"], "date": iso_date(r["day"]),
                                 "threshold_fen": r["threshold_fen"], "resolution_id": r["resolution_id"]}))

    acts = f["asset_acts"].filter(pl.col("kind").is_in(list(ACT_LABELS)))
    acts = _valid_resolution(acts, res, "date", pl.col("decision_type") == pl.col("kind"),
                             subject="asset_id").filter(~pl.col("resolved"))
    for r in acts.iter_rows(named=True):
        out.append(make_finding("no_resolution", r, "asset_event", r["id"],
                                f"{r['date']}资产{ACT_LABELS[r['kind']]}（原值{yuan(r['original_value_fen'])}）无有效会议决议",
                                {"asset_event_id": r["id"], "asset_id": r["asset_id"], "act": r["kind"],
                                 "original_value_fen": r["original_value_fen"], "date": iso_date(r["date"]),
                                 "resolution_id": r["resolution_id"]}))

    con = (f["contracts"].filter(pl.col("kind").is_in(list(CONTRACT_DECISION)) & (pl.col("direction") == "income")
                                 & (pl.col("status") != "terminated"))
           .join(th, on="org_id", how="left").with_columns(pl.col("threshold_fen").fill_null(p["default_threshold_fen"]))
           .filter(pl.col("amount_fen") >= pl.col("threshold_fen"))
           .with_columns(pl.col("kind").replace_strict(CONTRACT_DECISION, default=None).alias("needed")))
    con = _valid_resolution(con, res, "signed_on", pl.col("decision_type") == pl.col("needed")).filter(~pl.col("resolved"))
    for r in con.iter_rows(named=True):
        out.append(make_finding("no_resolution", r, "contract", r["id"],
                                f"合同{r['number']}（{yuan(r['amount_fen'])}）达到决策限额{yuan(r['threshold_fen'])}，无有效会议决议",
                                {"contract_id": r["id"], "amount_fen": r["amount_fen"], "signed_on": iso_date(r["signed_on"]),
                                 "threshold_fen": r["threshold_fen"], "resolution_id": r["resolution_id"]}))

    window = int(p.get("borrowing_window_days", 365))
    bor = (f["borrowings"].join(th, on="org_id", how="left")
           .with_columns(pl.col("threshold_fen").fill_null(p["default_threshold_fen"]))
           .filter(pl.col("amount_fen") >= pl.col("threshold_fen")))
    if bor.height:
        br = res.filter((pl.col("decision_type") == "borrowing") & pl.col("passed")).select(
            "org_id", "held_on", "amount_limit_fen")
        ok = (bor.join(br, on="org_id").filter(
            (pl.col("held_on") <= pl.col("date")) & (pl.col("held_on") >= pl.col("date") - pl.duration(days=window))
            ).select("voucher_id", "account_code").unique())
        for r in bor.join(ok, on=["voucher_id", "account_code"], how="anti").iter_rows(named=True):
            out.append(make_finding("no_resolution", r, "voucher", r["voucher_id"],
                                    f"{r['date']}借入款项{yuan(r['amount_fen'])}达到决策限额{yuan(r['threshold_fen'])}，此前{window}日内无借款决议",
                                    {"voucher_id": r["voucher_id"], "account_code": r["account_code"],
                                     "amount_fen": r["amount_fen"], "date": iso_date(r["date"]),
                                     "threshold_fen": r["threshold_fen"], "window_days": window}))
    return out


def check_paid_before_approval(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    """Paid before the request was entered, before its final approval, or before the meeting
    whose resolution it cites."""
    pay = f["payments"].filter((pl.col("kind") == "payment") & pl.col("paid_on").is_not_null())
    pay = pay.join(f["resolutions"].select("resolution_id", "held_on"), on="resolution_id", how="left").filter(
        (pl.col("paid_on") < pl.col("request_date")) | (pl.col("paid_on") < pl.col("approved_on")).fill_null(False)
        | (pl.col("paid_on") < pl.col("held_on")).fill_null(False))
    out = []
    for r in pay.iter_rows(named=True):
        if r["paid_on"] < r["request_date"]:
            why = f"早于申请日期{r['request_date']}"
        elif r["approved_on"] is not None and r["paid_on"] < r["approved_on"]:
            why = f"早于审批通过日期{r['approved_on']}"
        else:
            why = f"早于决议会议日期{r['held_on']}"
        out.append(make_finding("paid_before_approval", r, "payment_request", r["id"],
                                f"{r['paid_on']}付款{yuan(r['amount_fen'])}（{r['purpose']}），{why}",
                                {"payment_request_id": r["id"], "paid_on": iso_date(r["paid_on"]),
                                 "request_date": iso_date(r["request_date"]), "approved_on": iso_date(r["approved_on"]),
                                 "held_on": iso_date(r["held_on"]), "resolution_id": r["resolution_id"],
                                 "amount_fen": r["amount_fen"]}))
    return out


CITING_LABELS = {"payment_request": "收付款申请", "asset_event": "资产处置、出租或抵押", "contract": "合同",
                 "trade_listing": "产权交易挂牌"}


def check_same_person_decision(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    """A resolution whose meeting was recorded and confirmed by one person, or that is cited (a
    payment request, asset act, contract or listing entered) by the person who recorded or
    confirmed its meeting: the two people of 四议两公开 were one. A person is a user id; a meeting
    nobody recorded or confirmed through the platform (no id) is not a match."""
    res = f["resolutions"].select("resolution_id", "meeting_id", "org_id", "region_code", "number", "recorded_by_id",
                                  "confirmed_by_id")
    names = dict(zip(f["users"]["user_id"].to_list(), f["users"]["username"].to_list()))
    who = lambda uid: names.get(uid, f"用户#{uid}")
    same = res.filter(pl.col("recorded_by_id").is_not_null() & (pl.col("recorded_by_id") == pl.col("confirmed_by_id")))
    cited = (f["citations"].select("resolution_id", "record_type", "record_id", "cited_by_id")
             .join(res, on="resolution_id")
             .filter(pl.col("cited_by_id").is_not_null()
                     & ((pl.col("cited_by_id") == pl.col("recorded_by_id"))
                        | (pl.col("cited_by_id") == pl.col("confirmed_by_id")))))
    found: dict[int, dict] = {}
    for r in same.iter_rows(named=True):
        found.setdefault(r["resolution_id"], {"row": r, "why": [], "records": []})["why"].append(
            f"{who(r['recorded_by_id'])}登记并确认了会议")
    for r in cited.sort("record_type", "record_id").iter_rows(named=True):
        item = found.setdefault(r["resolution_id"], {"row": r, "why": [], "records": []})
        step = "登记" if r["cited_by_id"] == r["recorded_by_id"] else "确认"
        item["why"].append(f"{who(r['cited_by_id'])}{step}会议又引用其决议办理{CITING_LABELS.get(r['record_type'], '')}")
        item["records"].append({"type": r["record_type"], "id": r["record_id"], "by_id": r["cited_by_id"]})
    out = []
    for rid, item in sorted(found.items()):
        r = item["row"]
        why = "；".join(dict.fromkeys(item["why"]))
        out.append(make_finding("same_person_decision", r, "resolution", rid, f"决议 {r['number']}：{why}",
                                {"resolution_id": rid, "meeting_id": r["meeting_id"],
                                 "recorded_by_id": r["recorded_by_id"], "confirmed_by_id": r["confirmed_by_id"],
                                 "citing": item["records"][:20]}))
    return out
