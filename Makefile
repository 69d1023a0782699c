# Two entry points for a fresh machine (see README.md): `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint clean

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

lint: install
	$(BIN)/sqlfluff lint models macros snapshots tests analyses

clean:
	rm -rf target logs warehouse .pytest_cache
