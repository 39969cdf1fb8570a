# Quick start: `make run` (installs, generates demo data, serves) and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test lint bench system-deps install demo-data clean

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

## The house rules checked by tools: ruff (pyproject.toml [tool.ruff]) and the import layers
## (pyproject.toml [tool.importlinter]); any finding fails `make test` before pytest starts.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

test: system-deps $(STAMP) lint
	$(PY) -m pytest -n 2 --dist loadgroup

## One performance report (scripts/bench_report.py): every benchmark at province scale, printed and
## written to var/bench/report.json; BENCH_ARGS="--province 22 36" adds Jiangxi and the comparison.
bench: $(STAMP)
	$(PY) scripts/bench_report.py --postgres $(BENCH_ARGS)

demo-data: $(STAMP)
	$(PY) -m data.demo --scale $${DEMO_SCALE:-demo}

clean:
	rm -rf var .pytest_cache
