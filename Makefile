# Two entry points for a fresh machine (see README.md): `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

profiles.yml:
	cp profiles.yml.example profiles.yml

install: $(STAMP) profiles.yml

## Demo data into DuckDB, then dbt build; prints where the database is.
demo: install
	$(BIN)/ai-ops demo

## The whole test suite: lint, dbt builds and tests on DuckDB and Postgres, pytest.
test: install
	$(BIN)/pytest

BENCH_NOTE := What was tuned and why the remaining time cannot go lower on this machine: docs/PERFORMANCE.md. Postgres at 1 M events: docs/benchmarks-postgres.md. Both reports: \`make bench\`.

## Issue 5's benchmark (about 40 minutes on 2 cores): DuckDB at 1, 3 and 10 M events, Postgres at 1 M.
bench: install
	$(BIN)/ai-ops bench --sizes 1000000,3000000,10000000 --repeats 2 --target duckdb \
		--out docs/benchmarks.md --json docs/benchmarks.json --note "$(BENCH_NOTE)"
	$(BIN)/ai-ops bench --sizes 1000000 --repeats 1 --target postgres \
		--out docs/benchmarks-postgres.md --json docs/benchmarks-postgres.json --note "$(BENCH_NOTE)"

lint: install
	$(BIN)/sqlfluff lint models macros snapshots tests analyses

clean:
	rm -rf target logs warehouse .pytest_cache
