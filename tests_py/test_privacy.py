"""Privacy scans on the session-built projects (CONTRACT.md section 4).

(a) No planted PII string (truths ``pii.planted_pii_values``) in any text
    column of any relation the build wrote outside the raw and quarantine schemas.
(b) No opted-out user id (truths ``users.opted_out_user_ids``), nor its md5,
    sha1 or sha256 hex digest, in any column of any mart relation.
(c) No data test stores failures on a relation holding free text.
(d) The dbt logs of the build hold no planted PII string.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest

from helpers_rel import TEXT_TYPES, columns_of, find_strings, log_text, project_schemas, text_values

pytestmark = pytest.mark.slow

FREE_TEXT_COLUMNS = {"prompt_text", "response_text", "feedback", "properties"}


def _pii_values(project: Any) -> list[str]:
    values = sorted(set(project.truths["pii"]["planted_pii_values"]))
    assert values, "the truths list no planted PII: the scan would prove nothing"
    return values


def _scanned_schemas(project: Any) -> list[str]:
    return [s for s in project_schemas(project) if not s.endswith("_quarantine")]


def _check_no_pii_outside_raw_and_quarantine(project: Any) -> None:
    project.assert_build_ok()
    pii = _pii_values(project)
    schemas = _scanned_schemas(project)
    assert any(s.endswith("_staging") for s in schemas) and any(s.endswith("_marts") for s in schemas), schemas
    found: dict[str, set[str]] = {}
    scanned = 0
    for (schema, relation), cols in columns_of(project, schemas).items():
        text_cols = [c for c, t in cols if t in TEXT_TYPES]
        hits = find_strings(text_values(project, schema, relation, text_cols), pii)
        scanned += 1
        if hits:
            found[f"{schema}.{relation}"] = hits
    assert scanned > 10, f"only {scanned} relations scanned"
    # Report how many values leaked and where, never the values themselves.
    assert not found, {rel: f"{len(v)} planted PII values" for rel, v in found.items()}


def _hash_forms(user_id: str) -> list[str]:
    raw = user_id.encode()
    return [hashlib.md5(raw).hexdigest(), hashlib.sha1(raw).hexdigest(), hashlib.sha256(raw).hexdigest()]


def _check_no_opted_out_user_in_marts(project: Any) -> None:
    project.assert_build_ok()
    opted_out = project.truths["users"]["opted_out_user_ids"]
    assert opted_out, "the truths list no opted-out user: the scan would prove nothing"
    marts = [s for s in project_schemas(project) if s.endswith("_marts")]
    assert marts
    id_pattern = re.compile(r"(?<![0-9A-Za-z])(" + "|".join(re.escape(u) for u in opted_out) + r")(?![0-9])")
    hashes = {h for u in opted_out for h in _hash_forms(u)}
    found: dict[str, int] = {}
    for (schema, relation), cols in columns_of(project, marts).items():
        values = text_values(project, schema, relation, [c for c, _ in cols])
        n = sum(1 for v in values if id_pattern.search(v)) + len(find_strings(values, hashes))
        if n:
            found[f"{schema}.{relation}"] = n
    assert not found, f"opted-out user ids (or their md5/sha hashes) in marts: {found}"


def _check_no_store_failures_on_free_text(project: Any) -> None:
    project.assert_build_ok()
    manifest = json.loads((project.workdir / "target" / "manifest.json").read_text())
    nodes = {**manifest["nodes"], **manifest.get("sources", {})}
    warehouse_cols = {rel: {c for c, _ in cols} for (_, rel), cols in columns_of(project, [
        *project_schemas(project), project.raw_schema]).items()}
    offenders = []
    storing = 0
    for uid, node in manifest["nodes"].items():
        if node["resource_type"] != "test" or not node["config"].get("store_failures"):
            continue
        storing += 1
        for parent in node["depends_on"]["nodes"]:
            pnode = nodes.get(parent, {})
            name = pnode.get("alias") or pnode.get("identifier") or pnode.get("name", "")
            cols = set(pnode.get("columns", {})) | warehouse_cols.get(name, set())
            if cols & FREE_TEXT_COLUMNS:
                offenders.append(f"{uid} stores failures of {parent} ({sorted(cols & FREE_TEXT_COLUMNS)})")
    assert not offenders, "\n".join(offenders)
    # And no audit relation (tests' stored failures) holds a free-text column.
    audit = [s for s in project_schemas(project) if "audit" in s]
    for (schema, relation), audit_cols in columns_of(project, audit).items():
        assert not {c for c, _ in audit_cols} & FREE_TEXT_COLUMNS, f"{schema}.{relation}"


def _check_logs_hold_no_pii(project: Any) -> None:
    assert project.build is not None, "the session build did not run"
    text = log_text(project)
    assert len(text) > 1000, "no dbt log written: the scan would prove nothing"
    hits = find_strings([text], _pii_values(project))
    assert not hits, f"{len(hits)} planted PII values in the dbt logs of the build"


def test_duckdb_no_pii_outside_raw_and_quarantine(duckdb_project: Any) -> None:
    _check_no_pii_outside_raw_and_quarantine(duckdb_project)


def test_duckdb_no_opted_out_user_in_marts(duckdb_project: Any) -> None:
    _check_no_opted_out_user_in_marts(duckdb_project)


def test_duckdb_no_store_failures_on_free_text(duckdb_project: Any) -> None:
    _check_no_store_failures_on_free_text(duckdb_project)


def test_duckdb_logs_hold_no_pii(duckdb_project: Any) -> None:
    _check_logs_hold_no_pii(duckdb_project)


@pytest.mark.postgres
def test_postgres_no_pii_outside_raw_and_quarantine(postgres_project: Any) -> None:
    _check_no_pii_outside_raw_and_quarantine(postgres_project)


@pytest.mark.postgres
def test_postgres_no_opted_out_user_in_marts(postgres_project: Any) -> None:
    _check_no_opted_out_user_in_marts(postgres_project)


@pytest.mark.postgres
def test_postgres_no_store_failures_on_free_text(postgres_project: Any) -> None:
    _check_no_store_failures_on_free_text(postgres_project)


@pytest.mark.postgres
def test_postgres_logs_hold_no_pii(postgres_project: Any) -> None:
    _check_logs_hold_no_pii(postgres_project)
