"""gunicorn settings of `make serve`: `gunicorn -c server/gunicorn_conf.py server.wsgi:application`.

- workers: WEB_WORKERS, 0 (default) = one per core; gthread workers with WEB_THREADS threads
  each (default 4: polars and the database drivers release the GIL while they work).
- POLARS_MAX_THREADS = max(1, cores ÷ workers), set in the environment here, in the master, before
  any worker imports polars (unless set already), so the workers together use the cores once.
- bind HOST:PORT; timeout (a worker silent for GUNICORN_TIMEOUT s, default 120, is restarted: it
  covers a worker's start at province scale, which maps the columnar copy and reads the facts);
  graceful_timeout 30 s; keep-alive 5 s behind nginx.
- gunicorn's control socket: off unless CONTROL_SOCKET names one.
- access log: off, or to the file ACCESS_LOG; errors to stderr (or ERROR_LOG).
- `preload_app = False`: the app is built in each worker after the fork. Building it in the master
  would run polars there, and polars' thread pool does not survive a fork (the child deadlocks on
  its first parallel query), nor do the warm-up threads, the SQLite connections or connectorx's
  handles. What preloading would share is shared anyway: the master imports the heavy libraries
  (`PRELOAD`) and freezes them out of the garbage collector (`gc.freeze()`) before forking, so their
  pages stay shared copy-on-write (the master opens no database connection and starts no thread, so
  a worker has nothing to discard after the fork); the province's roll-ups are one memory-mapped columnar copy
  (data/query/columnar.py) whose pages every worker shares through the page cache.
"""
from __future__ import annotations

import gc
import importlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from settings import Settings  # noqa: E402 - after the project root is on the path

#: imported once in the master: libraries only (nothing here runs polars or opens a connection)
PRELOAD = ("numpy", "polars", "pyarrow", "sqlalchemy", "flask", "flask_login", "dash", "dash_bootstrap_components",
           "plotly.graph_objects", "plotly.express", "diskcache", "alembic", "connectorx")

_settings = Settings.from_env()  # also creates the persistent secrets once, before the workers race for them
CORES = os.cpu_count() or 1


def worker_count(settings: Settings, cores: int) -> int:
    return settings.web_workers if settings.web_workers > 0 else cores


def polars_threads(workers: int, cores: int) -> int:
    return max(1, cores // max(1, workers))


workers = worker_count(_settings, CORES)
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS") or 4)
bind = f"{_settings.host}:{_settings.port}"
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 120)
graceful_timeout = 30
keepalive = 5
preload_app = False
accesslog = os.environ.get("ACCESS_LOG") or None
errorlog = os.environ.get("ERROR_LOG") or "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
proc_name = "nongjing-web"
#: gunicorn's control socket (`gunicornc`) is off: its default path is one per user, so two servers
#: on one machine (the tests, the benchmarks) would fight over it; CONTROL_SOCKET names one to use
control_socket = os.environ.get("CONTROL_SOCKET") or str(_settings.data_dir / "gunicorn.ctl")
control_socket_disable = not os.environ.get("CONTROL_SOCKET")
os.environ.setdefault("POLARS_MAX_THREADS", str(polars_threads(workers, CORES)))
os.environ["JOBS_IN_PROCESS"] = os.environ.get("JOBS_IN_PROCESS") or "0"  # the job process runs the schedules


def on_starting(server):
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:  # an optional driver missing: the worker imports what it needs itself
            continue
    server.log.info("web: %d workers × %d threads, POLARS_MAX_THREADS=%s, %s", workers, threads,
                    os.environ["POLARS_MAX_THREADS"], _settings.database_url.split("@")[-1])


def pre_fork(server, worker):
    # the master's imported objects leave the collector's generations: a worker's collections never
    # write to their headers, so their pages are not copied (never unfrozen in the worker)
    gc.freeze()
