"""Rule filters that fit dbt-score's generic rules to this project (see pyproject.toml)."""

from dbt_score import Macro, rule_filter

DISPATCH_PREFIXES = ("default__", "duckdb__", "postgres__", "spark__")


@rule_filter
def is_not_dispatch_implementation(macro: Macro) -> bool:
    """Macros other than the adapter implementations that adapter.dispatch calls."""
    return not macro.name.startswith(DISPATCH_PREFIXES)
