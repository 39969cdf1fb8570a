# Quick start: `make run` (installs, generates demo data, serves) and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run serve jobs test lint bench system-deps install demo-data clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

## Debian packages the tests need: chromium + chromium-driver, postgresql, CJK fonts.
system-deps:
	bash scripts/install_system_deps.sh

run: $(STAMP)
	$(PY) -m app

## Production: gunicorn workers (server/gunicorn_conf.py: WEB_WORKERS, default one per core) on the
## database DATABASE_URL (PostgreSQL in production; an SQLite file works for trying); the schedules
## run in the job process (`make jobs`), not here (JOBS_IN_PROCESS=0). See docs/deploy.md.
serve: $(STAMP)
	@test -n "$$DATABASE_URL" || { echo "make serve: 请设置 DATABASE_URL（生产用 PostgreSQL，如 postgresql+psycopg://user:pw@host/db；试用可设 sqlite:///$(CURDIR)/var/platform-22.sqlite）" >&2; exit 2; }
	JOBS_IN_PROCESS=0 $(VENV)/bin/gunicorn -c server/gunicorn_conf.py server.wsgi:application

## The job process (data/jobs): the scheduled warning runs, escalation and backups, and the jobs the
## pages queue (backups, national syncs, re-evaluation); niced (JOBS_NICE, default 19), one polars
## thread. Run it next to `make serve` (JOBS_IN_PROCESS=0); as many as you like, on any machine:
## a lease in the database lets one run jobs at a time.
jobs: $(STAMP)
	$(PY) -m data.jobs

## The house rules checked by tools: ruff (pyproject.toml [tool.ruff]) and the import layers
## (pyproject.toml [tool.importlinter]); any finding fails `make test` before pytest starts.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

## each test file runs in one process (--dist loadfile): its module fixtures are set up once and its
## tests keep their order (pytest 9.2 ignores xdist 3.8's xdist_group marks: it no longer reads item._nodeid)
test: system-deps $(STAMP) lint
	$(PY) -m pytest -n 2 --dist loadfile --durations=25

## One performance report (scripts/bench_report.py): every benchmark at province scale, printed and
## written to var/bench/report.json; BENCH_ARGS="--province 22 36" adds Jiangxi and the comparison.
bench: $(STAMP)
	$(PY) scripts/bench_report.py --postgres $(BENCH_ARGS)

demo-data: $(STAMP)
	$(PY) -m data.demo --scale $${DEMO_SCALE:-demo}

clean:
	rm -rf var .pytest_cache
