"""The generator's experiment plants (GenConfig.srm_treatment_share, lift_workflows, max_workflow_lift)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pytest

from ai_ops_tools.cli import main
from ai_ops_tools.generator import WORKFLOWS, GenConfig, generate, planted_workflow_completion


def _rendered_workflows(cfg: GenConfig) -> set[str]:
    props = generate(cfg).tables["ai_events"].column("properties")
    found = pc.struct_field(pc.extract_regex(props, r'"workflow":"(?P<w>[^"]+)"'), "w")
    return set(pc.unique(pc.drop_null(found)).to_pylist())


def test_defaults_plant_nothing() -> None:
    cfg = GenConfig(seed=5, conversations=200, progress=False)
    planted = generate(cfg).truths["effects"]["planted"]
    assert planted["srm_treatment_share"] is None and planted["workflow_completion"] == {}
    assert _rendered_workflows(cfg) == set(WORKFLOWS)


def test_srm_share_assigns_conversations_with_that_probability() -> None:
    arms = generate(GenConfig(seed=5, conversations=6000, srm_treatment_share=0.3, progress=False)).truths[
        "effects"]["control_vs_treatment"]
    n_t, n_c = arms["treatment"]["conversations"], arms["control"]["conversations"]
    # binomial: sd of the share ~ sqrt(0.21 / 5700) = 0.006
    assert abs(n_t / (n_t + n_c) - 0.3) < 0.025, (n_t, n_c)


def test_lift_workflows_are_rendered_with_a_plan_independent_of_size() -> None:
    small = GenConfig(seed=5, conversations=300, lift_workflows=12, progress=False)
    large = GenConfig(seed=5, conversations=900, lift_workflows=12, progress=False)
    plan = planted_workflow_completion(small)
    assert plan == planted_workflow_completion(large)
    assert sorted(plan) == [f"workflow_{i:03d}" for i in range(12)]
    lifts = np.array([v["treatment"] - v["control"] for v in plan.values()])
    assert (np.abs(lifts) <= 0.15).all() and lifts.std() > 0.02
    assert _rendered_workflows(small) == set(plan)
    null = planted_workflow_completion(GenConfig(seed=5, conversations=300, lift_workflows=12,
                                                 max_workflow_lift=0.0, progress=False))
    assert all(v["treatment"] == v["control"] for v in null.values())


@pytest.mark.parametrize(("argv", "message"), [
    (["--srm-treatment-share", "1.0"], "strictly between 0 and 1"),
    (["--lift-workflows", "-3"], "number of workflows"),
    (["--max-workflow-lift", "0.5"], "[0, 0.3]"),
])
def test_bad_plant_options_say_what_to_do(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--conversations", "50", "--quiet", *argv]) == 2
    assert message in capsys.readouterr().err


def test_cli_writes_the_plants_into_the_truths(tmp_path: Path) -> None:
    out = tmp_path / "data"
    assert main(["generate", "--out", str(out), "--conversations", "80", "--quiet", "--srm-treatment-share",
                 "0.52", "--lift-workflows", "3"]) == 0
    planted = json.loads((out / "truths.json").read_text())["effects"]["planted"]
    assert planted["srm_treatment_share"] == 0.52
    assert sorted(planted["workflow_completion"]) == ["workflow_000", "workflow_001", "workflow_002"]
