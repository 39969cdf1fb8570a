"""Runtime settings, read once from the environment.

Every setting has a safe default so that `make run` works on a fresh machine with
no configuration: an embedded SQLite database under ``var/`` filled with generated
demo data for Jilin (22).
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent

#: The demo password satisfies the password rules (>= 8 chars, letters, digits, specials).
DEFAULT_DEMO_PASSWORD = "Demo@2026!"

#: One county per province whose villages get the full demo data at the `demo` scale.
DEFAULT_DEMO_COUNTY = {22: 220122000000, 36: 360121000000}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    province: int = 22
    database_url: str = ""
    data_dir: Path = ROOT / "var"
    host: str = "127.0.0.1"
    port: int = 8050
    secret_key: str = field(default_factory=lambda: secrets.token_hex(32))
    demo_password: str = DEFAULT_DEMO_PASSWORD
    demo_scale: str = "demo"
    demo_seed: int = 20261122
    demo_county: int = 0
    #: HMAC key for the tamper-evident security log; kept outside the database.
    audit_key: str = ""
    secure_cookies: bool = False
    idle_timeout_s: int = 30 * 60
    absolute_timeout_s: int = 12 * 3600
    #: seconds between scheduled full runs of the warning engine (0: no schedule)
    warning_schedule_s: int = 3600
    #: daily backup time, China time "HH:MM" (empty: no scheduled backups; data/backup/schedule.py)
    backup_schedule: str = "02:30"
    #: days a backup file is kept under DATA_DIR/backups before it is removed (its record stays, "expired")
    backup_keep_days: int = 30
    #: production (issue 17, docs/deploy.md). Redis for the shared state (sign-in throttle, cache
    #: tokens, background callbacks) instead of the database's `shared_state` table; empty: the database
    redis_url: str = ""
    #: a PostgreSQL streaming replica for reads (empty: every read goes to the primary)
    database_replica_url: str = ""
    #: a replica further behind than this is not read from (reads go to the primary)
    replica_max_lag_s: float = 5.0
    #: after a user's write, that user's reads go to the primary for this long (read-your-writes)
    read_own_writes_s: float = 10.0
    #: gunicorn workers of `make serve` (0: one per core)
    web_workers: int = 0
    #: True (`make run`): the schedules (warning runs, escalation, backups) run inside the web
    #: process; False (`make serve`): the web only enqueues, the job process (`make jobs`) runs them
    jobs_in_process: bool = True
    #: seconds between a worker's checks for newer data (the bound on seeing another worker's write)
    refresh_interval_s: float = 2.0
    #: reverse proxies in front of the app whose X-Forwarded-* headers are trusted (server/proxy.py; 0: none)
    proxy_hops: int = 0
    #: seconds between the job runner's publications of the columnar copy (0: never scheduled)
    columnar_every_s: float = 60.0

    def __post_init__(self):
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{self.data_dir / f'platform-{self.province}.sqlite'}")
        if not self.demo_county:
            object.__setattr__(self, "demo_county", DEFAULT_DEMO_COUNTY.get(self.province, 0))

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def snapshot_dir(self) -> Path:
        """Columnar snapshots of the rollups (Parquet), keyed by database."""
        return self.data_dir / "snapshots"

    @property
    def columnar_dir(self) -> Path:
        """The one columnar copy every worker memory-maps (Arrow IPC files, swapped atomically)."""
        return self.data_dir / "columnar"

    @property
    def backup_dir(self) -> Path:
        """Backup files and their manifests: beside the data, outside the web root, never served."""
        return self.data_dir / "backups"

    @property
    def outbox_dir(self) -> Path:
        """The national platform's outbox: sync packages are written here (offline by design)."""
        return self.data_dir / "outbox"

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        data_dir = Path(env.get("DATA_DIR") or ROOT / "var").resolve()
        return cls(
            province=_int("PROVINCE", 22),
            database_url=env.get("DATABASE_URL", ""),
            data_dir=data_dir,
            host=env.get("HOST", "127.0.0.1"),
            port=_int("PORT", 8050),
            secret_key=env.get("SECRET_KEY") or _persistent_secret(data_dir, "secret_key"),
            demo_password=env.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD,
            demo_scale=env.get("DEMO_SCALE", "demo"),
            demo_seed=_int("DEMO_SEED", 20261122),
            demo_county=_int("DEMO_COUNTY", 0),
            audit_key=env.get("AUDIT_KEY") or _persistent_secret(data_dir, "audit_key"),
            secure_cookies=env.get("SECURE_COOKIES", "0") == "1",
            warning_schedule_s=_int("WARNING_SCHEDULE_S", 3600),
            backup_schedule=env.get("BACKUP_SCHEDULE", "02:30"),
            backup_keep_days=_int("BACKUP_KEEP_DAYS", 30),
            redis_url=env.get("REDIS_URL", ""),
            database_replica_url=env.get("DATABASE_REPLICA_URL", ""),
            replica_max_lag_s=float(env.get("REPLICA_MAX_LAG_S") or 5.0),
            read_own_writes_s=float(env.get("READ_OWN_WRITES_S") or 10.0),
            web_workers=_int("WEB_WORKERS", 0),
            jobs_in_process=env.get("JOBS_IN_PROCESS", "1") == "1",
            refresh_interval_s=float(env.get("REFRESH_INTERVAL_S") or 2.0),
            columnar_every_s=float(env.get("COLUMNAR_EVERY_S") or 60.0),
            proxy_hops=_int("PROXY_HOPS", 0),
        )


def _persistent_secret(data_dir: Path, name: str) -> str:
    """A random secret kept in a 0600 file beside the data (never in the database)."""
    path = data_dir / f".{name}"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    return value
