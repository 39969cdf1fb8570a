# Quick start: `make run` (installs, generates demo data, serves) and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test bench system-deps install demo-data clean

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

test: system-deps $(STAMP)
	$(PY) -m pytest -n 2 --dist loadgroup

bench: $(STAMP)
	$(PY) scripts/bench.py
	$(PY) scripts/browser_bench.py
	$(PY) scripts/bench_warnings.py
	$(PY) scripts/bench_reads.py

demo-data: $(STAMP)
	$(PY) -m data.demo --scale $${DEMO_SCALE:-demo}

clean:
	rm -rf var .pytest_cache
