"""The OKR track as seed 003 runs it, through the CLI in one engagement: intake (a
Won't do priority cannot be approved) -> plan (the MD/VP approval needs the
measurement prepared) -> two checkpoints, every target metric measured against its
own thresholds, the second final with the retrospective; the next step at each step.
An intake signed by MD/VP before okr-plan existed counts as the approved plan."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from gatebook.engine.thresholds import at_negative, metric_result

from .cli_support import gb, ok, show
from .conftest import DATA, write

PIPELINE = {
    "metric": "Pipeline",
    "direction": "higher",
    "success": 100,
    "partial_success": 50,
    "no_impact": 0,
    "negative_impact": -10,
}
CYCLE = {
    "metric": "Cycle days",
    "direction": "lower",
    "success": 10,
    "partial_success": 20,
    "no_impact": 30,
    "negative_impact": 40,
}
NPS = {
    "metric": "NPS",
    "direction": "higher",
    "success": 40,
    "partial_success": 30,
    "no_impact": 20,
    "negative_impact": 10,
}
INTAKE = {
    "problem": "Pipeline is thin",
    "potential_value": "More qualified deals",
    "target_metrics": [
        {**PIPELINE, "available_in_bi": True},
        {**CYCLE, "available_in_bi": True},
        {**NPS, "available_in_bi": True},
    ],
    "okrs_served": "GTM-D O2",
    "fits_team_objectives": True,
    "bandwidth_this_quarter": True,
    "priority": "wont",
}
PLAN = {
    "raci": [{"person": "Ana", "role": "A"}, {"person": "Bo", "role": "R"}],
    "level_of_effort": "M",
    "time_weeks": 8,
    "checkpoints": [
        {"name": "Q3 review", "date": "2026-09-30"},
        {"name": "Q4 review", "date": "2026-12-15"},
    ],
    "kickoff_date": "2026-07-01",
    "sprints_agreed": True,
}


def next_step(engagement: str, *options: str) -> dict[str, Any] | None:
    data = json.loads(ok(*options, "engagement", "show", engagement, "--format", "json"))
    step: dict[str, Any] | None = data["next_step"]
    return step


def answers_file(tmp_path: Path, name: str, answers: dict[str, Any]) -> str:
    return str(write(tmp_path / f"{name}.json", json.dumps(answers)))


def typed(value: Any) -> str:
    """A value as `set` reads it: JSON for a table, yes/no, text as typed."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return json.dumps(value) if isinstance(value, list) else str(value)


def observed(*values: float) -> str:
    rows = [
        {**metric, "value": v} for metric, v in zip((PIPELINE, CYCLE, NPS), values, strict=True)
    ]
    return "observed=" + json.dumps(rows)


def sign(review: str, role: str) -> tuple[int, str]:
    code, _, err = gb("signoff", review, "--role", role, "--name", "Vi", "--decision", "approved")
    return code, err


def test_the_whole_okr_track_through_the_cli(tmp_path: Path) -> None:
    engagement = ok("engagement", "new", "Pipeline OKR")
    intake = ok(
        "new",
        "okr-intake",
        "--title",
        "Pipeline ticket",
        "--engagement",
        engagement,
        "--answers",
        answers_file(tmp_path, "intake", INTAKE),
    )
    assert next_step(engagement) == {
        "stage": "plan",
        "questionnaire": "okr-plan",
        "reason": "the intake is in place; plan the project (RACI, scoping, measurement "
        "preparation); waiting: the plan expects a signed intake (the management review "
        "approved it)",
    }
    code, err = sign(intake, "management")
    assert code == 1 and "gate Priority can be approved: 0 of 1 met" in err
    ok("set", intake, "priority=must")
    assert sign(intake, "management")[0] == 0
    assert next_step(engagement) == {
        "stage": "plan",
        "questionnaire": "okr-plan",
        "reason": "the intake is in place; plan the project (RACI, scoping, measurement "
        "preparation)",
    }

    plan = ok("new", "okr-plan", "--title", "Pipeline plan", "--engagement", engagement)
    ok("set", plan, *(f"{key}={typed(value)}" for key, value in PLAN.items()))
    assert next_step(engagement) == {
        "stage": "plan",
        "questionnaire": "okr-plan",
        "reason": f"sign {plan}: the MD/VP approves the plan once the measurement is prepared",
    }
    code, err = sign(plan, "md_vp")
    assert code == 1 and "gate Measurement ready: 0 of 3 met" in err
    ok("set", plan, "measurement_prep=project_tool_linked,revops_report,bi_metric_confirmed")
    assert sign(plan, "md_vp")[0] == 0
    assert next_step(engagement) == {
        "stage": "measure",
        "questionnaire": "okr-review",
        "reason": "measure checkpoint 1 of 2 (Q3 review, 2026-09-30) against the thresholds "
        "agreed at intake",
    }

    first = ok("new", "okr-review", "--title", "Q3", "--engagement", engagement)
    data = show(first)
    assert data["answers"]["observed"] == [PIPELINE, CYCLE, NPS]  # pre-filled from the intake
    assert data["answers"]["checkpoint_name"] == "Q3 review"
    assert data["answers"]["checkpoint_due"] == "2026-09-30"
    assert data["answers"]["final"] is False
    assert [r["result"] for r in data["metric_results"]] == [None, None, None]
    ok("set", first, observed(25, 35, 45), "checkpoint_date=2026-10-04", "causation_checked=yes")
    data = show(first)
    assert data["metric_results"] == [
        {"metric": "Pipeline", "observed": 25, "result": "no_impact"},
        {"metric": "Cycle days", "observed": 35, "result": "negative_impact"},
        {"metric": "NPS", "observed": 45, "result": "success"},
    ]
    flags = {f["id"]: f for f in data["evaluation"]["flags"]}
    assert set(flags) == {"negative_impact", "checkpoint_late"}
    assert flags["negative_impact"]["severity"] == "medium"
    assert "Cycle days (35)" in flags["negative_impact"]["why"]
    assert flags["checkpoint_late"]["severity"] == "medium"
    assert "4 days after the plan's 2026-09-30" in flags["checkpoint_late"]["why"]
    assert "qualitative_summary" not in data["evaluation"]["missing"]  # not the last one
    assert next_step(engagement) == {
        "stage": "measure",
        "questionnaire": "okr-review",
        "reason": "measure checkpoint 2 of 2 (Q4 review, 2026-12-15) against the thresholds "
        "agreed at intake; the last: hold the retrospective",
    }

    second = ok("new", "okr-review", "--title", "Q4", "--engagement", engagement)
    data = show(second)
    assert data["answers"]["final"] is True
    assert {"qualitative_summary", "retrospective_outcome", "leadership_summary"} <= set(
        data["evaluation"]["missing"]
    )
    ok(
        "set",
        second,
        observed(120, 15, -10),
        "checkpoint_date=2026-12-15",
        "causation_checked=yes",
        "okr_contribution=4",
        "qualitative_summary=Sales liked it",
        "retrospective_outcome=success",
        "retrospective_next=do_more",
        "leadership_summary=Pipeline up",
    )
    data = show(second)
    assert data["metric_results"] == [
        {"metric": "Pipeline", "observed": 120, "result": "success"},
        {"metric": "Cycle days", "observed": 15, "result": "partial_success"},
        {"metric": "NPS", "observed": -10, "result": "negative_impact"},
    ]
    flags = {f["id"]: f for f in data["evaluation"]["flags"]}
    assert set(flags) == {"negative_impact", "verdict_contradicts_result"}
    assert flags["negative_impact"]["severity"] == "high"
    assert data["escalation"]["required"] is True
    assert next_step(engagement) == {
        "stage": "measure",
        "questionnaire": "okr-review",
        "reason": f"sign {second}: the retrospective closes it",
    }
    ok("escalate", second, "--to", "MD", "--decision", "proceed")
    for row in data["risk_register"]:
        ok("risk", second, row["id"], "--mitigation", "Adjust", "--contingency", "Stop")
    assert sign(second, "md_vp")[0] == 0
    assert next_step(engagement) is None


@pytest.mark.parametrize(
    ("value", "result", "high"),
    [
        (120, "success", False),
        (100, "success", False),
        (60, "partial_success", False),
        (50, "partial_success", False),
        (25, "no_impact", False),
        (0, "no_impact", False),
        (-5, "negative_impact", False),
        (-10, "negative_impact", True),
        (-30, "negative_impact", True),
    ],
)
def test_more_is_better_against_100_50_0_minus_10(value: int, result: str, high: bool) -> None:
    row = {**PIPELINE, "value": value}
    assert metric_result(row) == result
    assert at_negative(row) is high


@pytest.mark.parametrize(
    ("value", "result", "high"),
    [
        (5, "success", False),
        (10, "success", False),
        (20, "partial_success", False),
        (25, "no_impact", False),
        (30, "no_impact", False),
        (35, "negative_impact", False),
        (40, "negative_impact", True),
        (99, "negative_impact", True),
    ],
)
def test_less_is_better_is_mirrored(value: int, result: str, high: bool) -> None:
    row = {**CYCLE, "value": value}
    assert metric_result(row) == result
    assert at_negative(row) is high


@pytest.mark.parametrize(
    ("value", "flags", "severity"),
    [(25, [], None), (-5, ["negative_impact"], "medium"), (-10, ["negative_impact"], "high")],
)
def test_the_issue_example_through_eval(
    tmp_path: Path, value: int, flags: list[str], severity: str | None
) -> None:
    answers = {"observed": [{**PIPELINE, "value": value}], "causation_checked": True}
    out = json.loads(
        ok(
            "eval",
            "okr-review",
            "--answers",
            answers_file(tmp_path, "a", answers),
            "--format",
            "json",
        )
    )
    assert [f["id"] for f in out["flags"]] == flags
    assert [f["severity"] for f in out["flags"]] == ([severity] if severity else [])
    assert out["escalate"] is (severity == "high")


def test_an_intake_signed_by_md_vp_before_okr_plan_counts_as_the_approved_plan(
    tmp_path: Path,
) -> None:
    old = tmp_path / "old"
    old.mkdir()
    shutil.copy(DATA / "okr-intake-1.0.0.yaml", old / "okr-intake.yaml")
    options = ("--questionnaires", str(old))
    engagement = ok("engagement", "new", "Old OKR")
    answers = {
        **INTAKE,
        "priority": "must",
        "raci": [{"person": "Ana", "role": "A"}, {"person": "Bo", "role": "R"}],
        "checkpoints": [{"date": "2026-03-31", "metric": "Pipeline"}],
    }
    intake = ok(
        *options,
        "new",
        "okr-intake",
        "--title",
        "Old ticket",
        "--engagement",
        engagement,
        "--answers",
        answers_file(tmp_path, "old", answers),
    )
    assert next_step(engagement, *options)["stage"] == "plan"  # type: ignore[index]
    ok(*options, "signoff", intake, "--role", "md_vp", "--name", "Vi", "--decision", "approved")
    assert next_step(engagement, *options) == {
        "stage": "measure",
        "questionnaire": "okr-review",
        "reason": "measure checkpoint 1 of 1 (2026-03-31) against the thresholds agreed at "
        "intake; the last: hold the retrospective",
    }
    checkpoint = ok(*options, "new", "okr-review", "--title", "Q1", "--engagement", engagement)
    data = show(checkpoint, *options)
    assert data["answers"]["checkpoint_due"] == "2026-03-31"  # the intake's checkpoints
    assert data["answers"]["checkpoint_name"] == "Checkpoint 1"
    assert data["answers"]["final"] is True


def test_metric_results_only_for_measurement_checkpoints() -> None:
    review = ok("new", "okr-plan", "--title", "A plan")
    assert "metric_results" not in show(review)


GATED = """\
id: gated
title: A gate over a choice
version: "1"
sections:
  - id: s
    title: S
    questions:
      - {id: priority, type: choice, prompt: Priority, options: [must, wont]}
      - {id: name, type: text, prompt: Name}
      - {id: mood, type: rating, prompt: Mood}
gates:
  - id: approvable
    title: Approvable
    decides_signoff: true
    items:
      - {item: priority, when: 'priority != "wont"', unmet: a Won't do cannot be approved}
"""


@pytest.mark.parametrize(
    ("answers", "passed", "why"),
    [
        ({"priority": "must"}, True, None),
        ({"priority": "wont"}, False, "a Won't do cannot be approved"),
        ({}, False, "unanswered"),
    ],
)
def test_a_gate_item_on_a_choice_is_ticked_by_answering_and_its_when_decides(
    tmp_path: Path, answers: dict[str, str], passed: bool, why: str | None
) -> None:
    from gatebook.engine import evaluate
    from gatebook.questionnaire.loader import load_questionnaire

    questionnaire = load_questionnaire(write(tmp_path / "gated.yaml", GATED))
    gate = evaluate(questionnaire, answers).gates["approvable"]
    assert gate.passed is passed
    if why is not None:
        assert why in gate.why_unmet("priority")


def test_a_gate_item_on_a_rating_is_still_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "gated.yaml", GATED.replace("item: priority", "item: mood"))
    code, _, err = gb("validate", str(path))
    assert code == 2
    assert "'mood' is a rating; a gate item is a boolean question" in err


def test_the_table_helpers_are_unknown_without_a_table_and_name_the_metrics(
    tmp_path: Path,
) -> None:
    rows = [{**PIPELINE, "value": -10}, {**NPS, "value": 5}, {**CYCLE, "value": 35}]
    answers = {"observed": rows, "causation_checked": True}
    out = json.loads(
        ok(
            "eval",
            "okr-review",
            "--answers",
            answers_file(tmp_path, "a", answers),
            "--format",
            "json",
        )
    )
    (flag,) = out["flags"]
    assert flag["severity"] == "high"
    assert flag["why"] == "At or past the negative-impact threshold: Pipeline (-10), NPS (5)."
    out = json.loads(
        ok("eval", "okr-review", "--answers", answers_file(tmp_path, "b", {}), "--format", "json")
    )
    assert out["flags"] == []
    assert "negative_impact" in out["undecided"]["flags"]


def test_a_checkpoint_of_the_old_version_lists_its_headline_metric(tmp_path: Path) -> None:
    old = tmp_path / "old"
    old.mkdir()
    shutil.copy(DATA / "okr-review-1.0.0.yaml", old / "okr-review.yaml")
    options = ("--questionnaires", str(old))
    review = ok(*options, "new", "okr-review", "--title", "Old Q3")
    ok(
        *options,
        "set",
        review,
        "headline_metric=Pipeline",
        "metric_direction=higher",
        "threshold_success=100",
        "threshold_partial=50",
        "threshold_no_impact=0",
        "threshold_negative=-10",
        "observed_value=-5",
    )
    assert show(review, *options)["metric_results"] == [
        {"metric": "Pipeline", "observed": -5, "result": "negative_impact"}
    ]
