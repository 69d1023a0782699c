"""Tooling for the ai_ops dbt project."""

__version__ = "0.1.0"
