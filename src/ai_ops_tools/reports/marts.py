"""Reading the published marts on DuckDB or Postgres, one query at a time.

Queries are written with ``?`` placeholders and the mart name in ``{mart}`` braces; the
reader fills in the schema-qualified relation and the driver's placeholder style.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class MartsMissing(Exception):
    """The marts the report reads are not in the warehouse (dbt build has not run there)."""


@dataclass
class MartReader:
    """A read-only connection to the marts schema of one target."""

    target: str
    schema: str
    con: Any

    @classmethod
    def open(cls, target: str, schema: str | None = None, duckdb_path: Path | None = None) -> MartReader:
        """``schema`` is the dbt target schema (marts live in ``<schema>_marts``)."""
        marts_schema = f"{schema or os.environ.get('AI_OPS_SCHEMA', 'analytics')}_marts"
        if target == "duckdb":
            import duckdb

            path = duckdb_path or Path(os.environ.get("AI_OPS_DUCKDB_PATH", "warehouse/ai_ops.duckdb"))
            if not path.exists():
                raise MartsMissing(f"no DuckDB file at {path}: run `ai-ops demo` or `dbt build` first")
            try:
                con = duckdb.connect(str(path), read_only=True)
            except duckdb.ConnectionException:
                # this process already holds the file open read-write (dbt in-process): share that config
                con = duckdb.connect(str(path))
            return cls(target, marts_schema, con)
        if target == "postgres":
            from ai_ops_tools.loader import PostgresSettings

            con = PostgresSettings.from_env().connect()
            con.autocommit = True
            return cls(target, marts_schema, con)
        raise ValueError(f"unknown target {target!r}: duckdb or postgres")

    def relation(self, mart: str) -> str:
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", mart):
            raise ValueError(f"not a mart name: {mart!r}")
        return f'"{self.schema}"."{mart}"'

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        """Run one query (``{name}`` = a mart relation, ``?`` = a parameter); rows as dicts."""
        names = set(re.findall(r"\{([a-z_][a-z0-9_]*)\}", sql))
        text = sql.format(**{n: self.relation(n) for n in names})
        if self.target == "postgres":
            text = text.replace("?", "%s")
            with self.con.cursor() as cur:
                cur.execute(text, params)
                cols = [d[0] for d in cur.description]
                return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
        cur = self.con.execute(text, list(params))
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    def require(self, marts: tuple[str, ...]) -> None:
        """Fail with the names of the marts that are missing from the schema."""
        found = {r["table_name"] for r in self.rows(
            "select table_name from information_schema.tables where table_schema = ?", (self.schema,))}
        missing = [m for m in marts if m not in found]
        if missing:
            raise MartsMissing(
                f"missing in schema {self.schema}: {', '.join(missing)}; run `dbt build` on this target first"
            )

    def close(self) -> None:
        self.con.close()
