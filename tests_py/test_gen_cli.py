"""The ai-ops command line: generate/load round trip and user-facing errors."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from ai_ops_tools.cli import main
from ai_ops_tools.raw_schema import RAW_TABLES


def test_generate_then_load_from_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "data"
    assert main(["generate", "--out", str(out), "--conversations", "60", "--seed", "9", "--quiet",
                 "--end-at", "2026-11-22T06:00:00Z"]) == 0
    truths = json.loads((out / "truths.json").read_text())
    assert truths["config"]["conversations"] == 60
    assert {p.stem for p in out.glob("*.parquet")} == set(RAW_TABLES)

    db = tmp_path / "wh.duckdb"
    assert main(["load", "--from", str(out), "--target", "duckdb", "--duckdb-path", str(db),
                 "--raw-schema", "landing", "--quiet"]) == 0
    con = duckdb.connect(str(db))
    try:
        (n,) = con.execute("select count(*) from landing.ai_events").fetchone()  # type: ignore[misc]
        (newest,) = con.execute("select max(loaded_at) from landing.ai_events").fetchone()  # type: ignore[misc]
    finally:
        con.close()
    assert n == truths["tables"]["ai_events"]["raw_rows"]
    assert str(newest) <= "2026-11-22 06:00:00"
    assert "landing.ai_events" in capsys.readouterr().out


def test_load_all_text_lands_every_column_as_text(tmp_path: Path) -> None:
    db = tmp_path / "text.duckdb"
    assert main(["load", "--all-text", "--conversations", "20", "--seed", "3", "--target", "duckdb",
                 "--duckdb-path", str(db), "--quiet"]) == 0
    con = duckdb.connect(str(db))
    try:
        types = con.execute("select distinct data_type from information_schema.columns "
                            "where table_schema = 'raw'").fetchall()
        (tables,) = con.execute("select count(distinct table_name) from information_schema.columns "
                                "where table_schema = 'raw'").fetchone()  # type: ignore[misc]
        (loaded_at,) = con.execute("select min(loaded_at) from raw.ai_events").fetchone()  # type: ignore[misc]
    finally:
        con.close()
    assert types == [("VARCHAR",)]
    assert tables == len(RAW_TABLES)
    # a timestamp landed as its ISO text
    assert isinstance(loaded_at, str) and loaded_at[4] == "-" and loaded_at[10] == " ", loaded_at


@pytest.mark.parametrize(
    ("argv", "message", "code"),
    [
        # option values that are wrong in themselves: bad usage, argparse's exit code 2
        (["generate", "--conversations", "5"], "at least 20", 2),
        (["generate", "--start-date", "2026-01-06"], "not a Monday", 2),
        (["generate", "--launch-date", "2027-01-01"], "inside the window", 2),
        # a run that cannot do its work: exit 1
        (["load", "--from", "/nonexistent/dir"], "ai-ops generate", 1),
    ],
)
def test_errors_say_what_to_do(argv: list[str], message: str, code: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv + ["--quiet"]) == code
    assert message in capsys.readouterr().err


def test_conversations_and_events_are_exclusive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["generate", "--conversations", "100", "--events", "1000"])
    assert "not allowed with" in capsys.readouterr().err


@pytest.mark.parametrize(("text", "message"), [("6-2", "need 2 <= A < B"), ("1-4", "need 2 <= A < B"),
                                               ("weeks", "expected A-B")])
def test_bench_late_weeks_must_be_a_window(text: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    # argparse rejects the value before any benchmark work starts
    with pytest.raises(SystemExit):
        main(["bench", "--sizes", "1000", "--late-weeks", text])
    assert message in capsys.readouterr().err


def test_bench_late_weeks_parses_a_window_and_all() -> None:
    from ai_ops_tools.cli import _late_weeks

    assert _late_weeks("3-8") == (3, 8)
    assert _late_weeks("all") is None
