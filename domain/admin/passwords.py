"""Password rules (Art. X54) and sign-in lockout (Art. J35).

- at least 8 characters mixing letters, digits and special characters; no upper bound that
  truncates (argon2 hashes the whole UTF-8 string, however long);
- common passwords are refused;
- hashed with argon2id at the OWASP ASVS 5 / Password Storage Cheat Sheet minimum
  (m = 19 MiB, t = 2, p = 1);
- a password older than 365 days must be changed at the next sign-in;
- 5 failed attempts lock the account for 30 minutes.
"""
from __future__ import annotations

import datetime as dt
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 8
#: Far above any real password; only guards the hasher against megabyte-sized form posts.
MAX_LENGTH = 1024
EXPIRY = dt.timedelta(days=365)
MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=30)

_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, hash_len=32, salt_len=16)

#: Passwords that satisfy the character-class rule but appear in breach top lists, or are
#: the obvious local choices. Compared case-insensitively.
COMMON_PASSWORDS = frozenset(p.lower() for p in """
Password1! Password@1 Password@123 P@ssw0rd P@ssw0rd1 P@ssword1 P@55w0rd Passw0rd! Pa$$w0rd Pa$$word1
Admin@123 Admin@1234 Admin123! admin@123456 Abc@1234 Abc@12345 abc123!@# Abcd@1234 Aa123456! Aa@123456
Qwer@1234 Qwerty@123 Qwerty123! 1qaz@WSX 1qaz!QAZ 1q2w3e4r! 1q2w3e4r@ Zxcv@1234 Asdf@1234 Test@123
Welcome@1 Welcome1! Root@123 Root@1234 Huawei@123 Huawei@123! Changeme1! Changeme@1 Woaini@1314 Wang@123456
Abc123456! a123456! a123456@ a1234567! a12345678! 123456aA! 12345678a! qq123456! Iloveyou1! Sunshine1!
Jilin@123 Jiangxi@123 Nongjing@123 Nongye@123 Caiwu@123 Kuaiji@123 Yinhang@123 Linye@123
""".split())

_SPECIALS = set(string.punctuation) | set("，。！？￥…（）【】、；：“”‘’《》·—")


def password_problems(password: str, *, username: str | None = None) -> list[str]:
    """Every rule the password breaks, in Chinese; empty if it is acceptable."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"密码长度至少{MIN_LENGTH}位")
    if len(password) > MAX_LENGTH:
        problems.append(f"密码长度不能超过{MAX_LENGTH}位")
    has_letter = any(c.isalpha() and c.isascii() for c in password)
    has_digit = any(c.isdigit() for c in password)
    has_special = any(c in _SPECIALS or (not c.isalnum() and not c.isspace()) for c in password)
    if not (has_letter and has_digit and has_special):
        problems.append("密码须同时包含字母、数字和特殊字符")
    if password.lower() in COMMON_PASSWORDS:
        problems.append("该密码过于常见，容易被猜中，请换一个")
    if username and len(username) >= 3 and username.lower() in password.lower():
        problems.append("密码不能包含用户名")
    return problems


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)


#: A real hash of a random string, verified against when the user does not exist so that an
#: unknown user name costs the same time as a wrong password.
DUMMY_HASH = _HASHER.hash("no-such-user: 9f1c2b7e-timing-equaliser")


def _aware(t: dt.datetime | None) -> dt.datetime | None:
    if t is not None and t.tzinfo is None:
        return t.replace(tzinfo=dt.UTC)
    return t


def password_expired(changed_at: dt.datetime | None, now: dt.datetime) -> bool:
    changed_at = _aware(changed_at)
    return changed_at is None or _aware(now) - changed_at >= EXPIRY


def is_locked(user, now: dt.datetime) -> bool:
    until = _aware(user.locked_until)
    return until is not None and _aware(now) < until


def register_failure(user, now: dt.datetime) -> None:
    """Count a failed attempt; the fifth in a row locks the account for 30 minutes."""
    until = _aware(user.locked_until)
    if until is not None and _aware(now) >= until:  # a lock that ran out starts a fresh count
        user.failed_attempts, user.locked_until = 0, None
    user.failed_attempts = (user.failed_attempts or 0) + 1
    if user.failed_attempts >= MAX_FAILURES:
        user.locked_until = _aware(now) + LOCKOUT


def register_success(user) -> None:
    user.failed_attempts, user.locked_until = 0, None
