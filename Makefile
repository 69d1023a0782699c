# Two entry points for a fresh machine (see README.md): `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# A second venv, identical to .venv but for DuckDB 2.0.x (constraints/duckdb-2.0.txt; .venv has 1.5.x):
# it holds only duckdb and layers .venv's packages behind it (a .pth calling site.addsitedir), so the
# one difference between the two test runs is DuckDB. (A full `pip install -c constraints/duckdb-2.0.txt
# -e .[dev]` resolves every other package to the same version, measured 2026-12-05, but takes minutes.)
VENV2 ?= .venv-duckdb2
BIN2 := $(VENV2)/bin
STAMP2 := $(VENV2)/.installed
# The `spark` extra (dbt-spark[session], pyspark) in .venv: only for the spark target and its test.
STAMP_SPARK := $(VENV)/.installed-spark

.PHONY: install install-duckdb2 install-spark test-spark browser demo report test test-duckdb2 check lint bench clean

$(STAMP): pyproject.toml constraints/duckdb-1.5.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints/duckdb-1.5.txt -e '.[dev,semantic]'
	touch $(STAMP)

$(STAMP2): $(STAMP) constraints/duckdb-2.0.txt
	rm -rf $(VENV2)
	$(PYTHON) -m venv $(VENV2)
	$(BIN2)/pip install --quiet --no-deps -r constraints/duckdb-2.0.txt
	echo "import site; site.addsitedir('$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')')" \
		> "$$($(BIN2)/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')/ai_ops_main_venv.pth"
	$(BIN2)/python -c "import duckdb, dbt.version, ai_ops_tools; assert duckdb.__version__.startswith('2.0.'), duckdb.__version__"
	touch $(STAMP2)

$(STAMP_SPARK): $(STAMP)
	$(BIN)/pip install --quiet -c constraints/duckdb-1.5.txt -e '.[dev,semantic,spark]'
	$(BIN)/python -c "import pyspark, dbt.adapters.spark; print('pyspark', pyspark.__version__)"
	@command -v java >/dev/null || { echo "Spark needs Java 17+: install a JDK (e.g. apt-get install openjdk-17-jre-headless)"; exit 1; }
	touch $(STAMP_SPARK)

profiles.yml:
	cp profiles.yml.example profiles.yml

install: $(STAMP) profiles.yml

install-duckdb2: $(STAMP2) profiles.yml

## dbt-spark[session] and pyspark (the `spark` extra) into .venv, for the spark target; needs Java 17+.
install-spark: $(STAMP_SPARK) profiles.yml

## Debian's Chromium for the report's PDF and the browser tests (never a browser download: the
## distribution's package, as a user would install it). Skipped when /usr/bin/chromium is there.
browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

## The leadership review of the demo database (HTML + one-page PDF in reports/).
report: install browser
	$(BIN)/ai-ops report leadership

## Demo data into DuckDB, then dbt build; prints where the database is.
demo: install
	$(BIN)/ai-ops demo

## pytest-xdist: PYTEST_WORKERS processes (default 2, this machine's cores), each taking whole test files (a file's
## module fixtures are built once) in the order tests_py/conftest.py sets, the slowest first. Every worker builds
## the session fixtures its files need (Postgres schemas are named by process id). PYTEST_WORKERS=0: one process.
PYTEST_WORKERS ?= 2
PYTEST_PARALLEL := $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder)

## The whole test suite: lint, ruff, mypy, dbt builds and tests on DuckDB 1.5 and Postgres, pytest, the marts of
## DuckDB 1.5 and 2.0 compared row by row, the marts built on a local Spark against DuckDB's (group `spark`); then the
## DuckDB end-to-end tests again on DuckDB 2.0.
test: install install-duckdb2 install-spark browser
	AI_OPS_OTHER_DUCKDB_PYTHON=$(abspath $(BIN2))/python $(BIN)/pytest $(PYTEST_PARALLEL)
	$(MAKE) --no-print-directory test-duckdb2

## The Spark group alone: the test data built on a local Spark, every published mart against DuckDB's, then the
## dbt tests of selectors.yml's `spark_ci` selector on that build.
test-spark: install-spark
	$(BIN)/pytest -m spark

## The DuckDB-only end-to-end tests on DuckDB 2.0.x (.venv-duckdb2): its own session build, same data.
test-duckdb2: install-duckdb2
	$(BIN2)/python -m pytest tests_py/test_marts_end_to_end.py -m "not postgres"

BENCH_NOTE := What was tuned and why the remaining time cannot go lower on this machine: docs/PERFORMANCE.md. Postgres at 1 M events: docs/benchmarks-postgres.md. Both reports: \`make bench\`.

## Issue 5's benchmark (about 40 minutes on 2 cores): DuckDB at 1, 3 and 10 M events, Postgres at 1 M.
bench: install
	$(BIN)/ai-ops bench --sizes 1000000,3000000,10000000 --repeats 2 --target duckdb \
		--out docs/benchmarks.md --json docs/benchmarks.json --note "$(BENCH_NOTE)"
	$(BIN)/ai-ops bench --sizes 1000000 --repeats 1 --target postgres \
		--out docs/benchmarks-postgres.md --json docs/benchmarks-postgres.json --note "$(BENCH_NOTE)"

## Python checks alone (pytest runs them too: tests_py/test_python_checks.py).
check: install
	$(BIN)/ruff check src tests_py
	$(BIN)/mypy src tests_py

## SQLFluff through ai_ops_tools.sql_lint: every model, snapshot, singular test and analysis with the SQL
## its macros render, and the compiled generic tests. LINT_BUILT=<built DuckDB file> (LINT_SCHEMA, default
## analytics) adds the pass over the incremental branches, e.g. make lint LINT_BUILT=warehouse/ai_ops.duckdb.
lint: install
	$(BIN)/python -m ai_ops_tools.sql_lint $(if $(LINT_BUILT),--built-duckdb $(LINT_BUILT) --schema $(or $(LINT_SCHEMA),analytics))

clean:
	rm -rf target logs warehouse reports .pytest_cache
