"""`ai-ops --help` tells the truth: every option has help, every stated default is the one used;
exit codes: 1 for a run that failed, 2 for bad usage only."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ai_ops_tools.bench import DEFAULT_LATE_WEEKS
from ai_ops_tools.cli import (
    DEFAULT_RAW_SCHEMA,
    DEFAULT_SEED,
    DEMO_CONVERSATIONS,
    build_parser,
    config_from_args,
    main,
)
from ai_ops_tools.generator import DEFAULT_CONVERSATIONS, DEFAULT_LAUNCH, DEFAULT_START, DEFAULT_WEEKS

DEFAULT_IN_HELP = re.compile(r"\(default ([^);]+)")


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _options(p: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in p._actions if not isinstance(a, argparse._HelpAction)]


def _as_help_text(value: Any) -> str:
    """How a default reads in a help text (the independent side of the comparison)."""
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, tuple):
        return "-".join(str(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


SUBCOMMANDS = sorted(_subparsers())


def test_the_subcommands_are_the_documented_ones() -> None:
    assert SUBCOMMANDS == ["alerts", "bench", "build", "demo", "docs", "generate", "gx", "load", "load-otlp", "report"]


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_option_has_help(command: str) -> None:
    missing = [a.option_strings or a.dest for a in _options(_subparsers()[command]) if not (a.help or "").strip()]
    assert not missing, f"ai-ops {command}: options without help: {missing}"


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_stated_default_is_the_parsers_default(command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A help text's "(default X)" names the value the parser really fills in.

    Defaults that come from the environment ("default AI_OPS_SCHEMA or analytics") have no parser
    default; --conversations has none either (it excludes --events) and is checked below.
    """
    monkeypatch.delenv("AI_OPS_BENCH_DIR", raising=False)
    checked = 0
    for action in _options(_subparsers()[command]):
        stated = DEFAULT_IN_HELP.search(action.help or "")
        if stated is None or action.default is None or action.dest == "conversations":
            continue
        # "ENV_VAR or value": the value is the fallback the parser holds when the variable is unset
        assert stated.group(1).split(" or ")[-1] == _as_help_text(action.default), (command, action.option_strings)
        checked += 1
    # the commands with options that have defaults state some of them (the check is not vacuous)
    assert checked > 0 or command not in ("bench", "demo", "generate", "load")


@pytest.mark.parametrize(("command", "conversations"),
                         [("demo", DEMO_CONVERSATIONS), ("generate", DEFAULT_CONVERSATIONS),
                          ("load", DEFAULT_CONVERSATIONS)])
def test_conversations_default_in_help_is_the_one_generated(command: str, conversations: int) -> None:
    # the numbers the README promises: the demo builds 2000 conversations, generate/load 500
    assert (DEMO_CONVERSATIONS, DEFAULT_CONVERSATIONS) == (2000, 500)
    help_text = _subparsers()[command].format_help()
    assert f"number of AI conversations (default {conversations})" in " ".join(help_text.split())
    cfg = config_from_args(build_parser().parse_args([command]))
    assert cfg.conversations == conversations
    assert cfg.events is None
    # --events replaces the default size instead of clashing with it
    cfg = config_from_args(build_parser().parse_args([command, "--events", "5000"]))
    assert (cfg.conversations, cfg.events) == (None, 5000)


def test_generation_defaults_are_the_generators() -> None:
    cfg = config_from_args(build_parser().parse_args(["generate"]))
    assert (cfg.seed, cfg.start_date, cfg.weeks, cfg.launch_date) == (
        DEFAULT_SEED, DEFAULT_START, DEFAULT_WEEKS, DEFAULT_LAUNCH)
    assert (42, date(2026, 1, 5), 26, date(2026, 3, 2)) == (DEFAULT_SEED, DEFAULT_START, DEFAULT_WEEKS, DEFAULT_LAUNCH)
    args = build_parser().parse_args(["demo"])
    assert (args.raw_schema, DEFAULT_RAW_SCHEMA) == ("raw", "raw")
    bench = build_parser().parse_args(["bench"])
    assert bench.late_weeks == DEFAULT_LATE_WEEKS == (2, 6)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["generate", "--conversations", "5", "--quiet"], "at least 20"),
        (["demo", "--weeks", "2", "--quiet"], "at least 4"),
        (["bench", "--sizes", "100", "--quiet"], "at least 500 events"),
        (["bench", "--schema", "analytics", "--quiet"], "must start with 'bench'"),
        (["report", "diagnostic"], "needs --metric KEY"),
    ],
)
def test_bad_option_values_exit_2(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert f"ai-ops {argv[0]} --help" in err


@pytest.mark.parametrize("argv", [["demo", "--conversations", "many"], ["load", "--target", "mysql"], ["nope"], [],
                                  ["report", "leadership", "--month", "2026-13"], ["report", "weekly"],
                                  ["report", "operating", "--week", "2026-06-31"]])
def test_argparse_rejections_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "usage:" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["load", "--from", "/nonexistent/dir", "--quiet"], "ai-ops generate"),
        (["gx", "--duckdb-path", "/nonexistent/ai_ops.duckdb"], "run `ai-ops demo`"),
        (["report", "leadership", "--duckdb-path", "/nonexistent/ai_ops.duckdb"], "run `ai-ops demo`"),
        (["report", "operating", "--duckdb-path", "/nonexistent/ai_ops.duckdb"], "run `ai-ops demo`"),
    ],
)
def test_failed_runs_exit_1(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 1
    assert message in capsys.readouterr().err


def test_the_installed_command_returns_the_same_codes(tmp_path: Path) -> None:
    """The console script passes main()'s return value to the shell."""
    exe = Path(sys.executable).with_name("ai-ops")
    env = {**os.environ, "AI_OPS_DUCKDB_PATH": str(tmp_path / "none.duckdb")}
    usage = subprocess.run([str(exe), "generate", "--conversations", "5", "--quiet"], capture_output=True,
                           text=True, env=env, cwd=tmp_path, timeout=120)
    failed = subprocess.run([str(exe), "gx"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert (usage.returncode, failed.returncode) == (2, 1), (usage.stderr, failed.stderr)
