"""The project's own dbt-score rule filters (namespace named in pyproject.toml [tool.dbt-score])."""
