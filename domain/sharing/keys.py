"""API credentials (Art. J24–J25): a random token from `secrets`, shown once and stored only as
its SHA-256 (a 256-bit random token needs no slow hash: it cannot be guessed, only stolen, and the
digest is useless to a thief of the database); an IP allow-list of CIDRs (`ipaddress`), an expiry,
a per-minute rate, and the checks a call passes, in order, with the HTTP status of each refusal."""
from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import secrets

PREFIX = "njk_"
#: key status -> label
STATES = {"active": "启用", "suspended": "已暂停", "revoked": "已吊销"}
MAX_CIDRS = 20
RATE_WINDOW_S = 60


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def shown_prefix(token: str) -> str:
    """What the pages show of a key (enough to tell keys apart, useless to call with)."""
    return token[:10] + "…"


def parse_cidrs(text) -> tuple[list[str], str | None]:
    """The allow-list typed as CIDRs or addresses separated by commas, spaces or new lines."""
    raw = [p for p in str(text or "").replace("，", ",").replace("\n", ",").replace(" ", ",").split(",") if p]
    if not raw:
        return [], "请填写允许调用的IP地址或网段"
    if len(raw) > MAX_CIDRS:
        return [], f"IP地址或网段最多{MAX_CIDRS}个"
    nets = []
    for item in raw:
        try:
            nets.append(str(ipaddress.ip_network(item.strip(), strict=False)))
        except ValueError:
            return [], f"无效的IP地址或网段：{item[:50]}"
    return list(dict.fromkeys(nets)), None


def ip_allowed(ip: str | None, cidrs) -> bool:
    try:
        addr = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return False
    for c in cidrs or ():
        try:
            if addr in ipaddress.ip_network(c, strict=False):
                return True
        except ValueError:
            continue
    return False


def credential_refusal(status: str, expires_on: dt.date | None, today: dt.date) -> str | None:
    """401 text for a key that exists but may not be used now."""
    if status == "revoked":
        return "接口密钥已吊销"
    if status == "suspended":
        return "接口密钥已暂停使用"
    if expires_on is not None and today > expires_on:
        return "接口密钥已过期"
    return None
