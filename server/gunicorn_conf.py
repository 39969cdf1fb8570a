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
- at start the master brings the columnar copy up to the database (`python -m data.query.columnar`
  in a child process) before it forks the workers, which then only map it.
- `preload_app = True`: the master builds the app (server/wsgi.py: the schema migrated once, the
  pages and callbacks registered, Dash set up) and freezes it out of the garbage collector
  (`gc.freeze()`) before forking, so the workers share its pages until they write to them
  (CPython's reference counts do, for part of them). What does not survive a fork is made in
  each worker after it (`post_worker_init` → server.wsgi.start_worker): the query layer (polars'
  thread pool: a child of a process that ran a parallel query deadlocks on its first one), and
  the database connections (the master's are forgotten). The master also imports the libraries
  the app loads lazily (`PRELOAD`), which runs no polars query either. The province's roll-ups
  are one memory-mapped columnar copy (data/query/columnar.py) whose pages every worker shares
  through the page cache.
- memory per worker (post_fork): glibc's arenas capped at MALLOC_ARENA_MAX (default 2), blocks
  over 1 MiB mapped on their own, and `malloc_trim(0)` every MALLOC_TRIM_EVERY_S (default 5 s, a
  thread of the worker): without it a worker keeps the few hundred MB of temporaries
  its concurrent requests and warm-ups freed (scripts/bench_memory.py measures it).
"""
from __future__ import annotations

import ctypes
import gc
import importlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from settings import Settings  # noqa: E402 - after the project root is on the path

#: imported once in the master besides the app (server/wsgi.py, preloaded), so the workers share
#: their pages: libraries the app imports only when a request needs them (importing runs no polars
#: query, opens no connection and starts no thread)
PRELOAD = ("numpy", "polars", "pyarrow", "plotly.graph_objects", "plotly.express", "diskcache", "connectorx")

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
preload_app = True
os.environ["WEB_PRELOAD"] = "1"  # server/wsgi.py: the master builds the app without its query layer
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


def publish_copy(server) -> None:
    """The columnar copy brought up to the database before the workers start (built, the first time,
    from the ledger): in a child process, so that the master never runs polars; a failure is logged
    and the workers build or publish it themselves (data/query/layer.py)."""
    done = subprocess.run([sys.executable, "-m", "data.query.columnar"], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT),
                                                                                         os.environ.get("PYTHONPATH"))))})
    if done.returncode == 0:
        server.log.info("columnar copy: %s", done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "")
    else:
        server.log.warning("columnar copy not published at start (the workers will): %s", done.stderr[-2000:])


def on_starting(server):
    publish_copy(server)
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:  # an optional driver missing: the worker imports what it needs itself
            continue
    server.log.info("web: %d workers × %d threads, POLARS_MAX_THREADS=%s, %s", workers, threads,
                    os.environ["POLARS_MAX_THREADS"], _settings.database_url.split("@")[-1])


#: glibc malloc arenas per worker (M_ARENA_MAX): by default up to 8 per core, one per thread that
#: allocates, each keeping its freed memory; a worker's threads share two
MALLOC_ARENAS = int(os.environ.get("MALLOC_ARENA_MAX") or 2)


#: seconds between a worker's `malloc_trim(0)` calls (0: never)
TRIM_EVERY_S = float(os.environ.get("MALLOC_TRIM_EVERY_S") or 5)


def _trim_forever(libc) -> None:
    """Give the memory a worker freed back to the system every TRIM_EVERY_S: the threads of a
    worker answering several cockpits at once, and its warm-ups, free hundreds of MB of temporaries
    (numpy arrays, figures, JSON) that glibc would otherwise keep in the worker's heap for good."""
    while True:
        time.sleep(TRIM_EVERY_S)
        libc.malloc_trim(0)


def post_fork(server, worker):
    try:  # before the worker starts any thread (glibc reads MALLOC_ARENA_MAX only when a process starts)
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-8, MALLOC_ARENAS)  # -8: M_ARENA_MAX
        # -3: M_MMAP_THRESHOLD, fixed: a block over 1 MiB (the numpy temporaries of a query over
        # every village) is its own mapping, returned to the system when freed, instead of
        # raising glibc's dynamic threshold and staying in the worker's heap for good
        libc.mallopt(-3, 1 << 20)
    except OSError:  # not glibc
        return
    if TRIM_EVERY_S > 0:
        threading.Thread(target=_trim_forever, args=(libc,), name="malloc-trim", daemon=True).start()


def post_worker_init(worker):
    from server.wsgi import start_worker

    start_worker(worker.wsgi)  # this worker's query layer, its own database connections


def pre_fork(server, worker):
    # the master's imported objects leave the collector's generations: a worker's collections never
    # write to their headers, so their pages are not copied (never unfrozen in the worker)
    gc.freeze()
