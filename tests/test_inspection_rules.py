"""Issue 33, inspections as a loop: the rules over the register and the other flags
(`carried_overdue(date)`, `other_flags_raised(...)`) and the DQI's two flags built on
them (`overdue_carried_risks` from dates, `no_back_to_green_plan` whatever the cause)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gatebook.engine import evaluate
from gatebook.engine.answers import read_answers
from gatebook.engine.interview import next_questions
from gatebook.questionnaire import Questionnaire, load_questionnaire
from gatebook.questionnaire.problems import SourceError

from .conftest import ROOT, write

DQI = ROOT / "questionnaires" / "dqi.yaml"
GREEN = {
    "project_start": "2026-01-05",
    "inspection_date": "2026-06-01",
    "cadence": {"standups": True, "sprint_planning": True, "retrospectives": True,
                "stakeholder_syncs": True},
    "milestone_progress": "on_track",
    "schedule_variance_pct": 0,
    "budget_variance_pct": 0,
    "csat_signal": "positive",
}  # fmt: skip


@pytest.fixture(scope="module")
def dqi() -> Questionnaire:
    return load_questionnaire(DQI)


def flags(
    q: Questionnaire, answers: dict[str, Any], register: dict[str, Any] | None = None
) -> set[str]:
    read = read_answers(q, answers)
    return {f.id for f in evaluate(q, read.answers, read.not_applicable, register=register).flags}


def carried(due: str, status: str = "open", origin: str | None = "kickoff-1/x") -> dict[str, Any]:
    row: dict[str, Any] = {"title": "Carried", "severity": "medium", "due": due, "status": status}
    if origin:
        row["origin"] = origin
    return row


# ---- overdue_carried_risks: from dates --------------------------------------------------


@pytest.mark.parametrize(
    ("row", "raised"),
    [
        (carried("2026-05-31"), True),
        (carried("2026-05-31", "mitigating"), True),
        (carried("2026-06-01"), False),  # due on the inspection day: not past it
        (carried("2026-05-01", "mitigated"), False),
        (carried("2026-05-01", "accepted"), False),
        (carried("2026-05-01", origin=None), False),  # the DQI's own row: not carried
        ({"title": "No date", "origin": "kickoff-1/x"}, False),
    ],
)
def test_overdue_carried_risks_is_raised_by_a_carried_row_past_due_at_the_inspection(
    dqi: Questionnaire, row: dict[str, Any], raised: bool
) -> None:
    found = flags(dqi, GREEN, {"x": row})
    assert ("overdue_carried_risks" in found) is raised
    if raised:  # high: the DQI is red, and needs its back-to-green plan
        assert "no_back_to_green_plan" in found


def test_the_self_report_raises_nothing_and_no_review_means_unknown(dqi: Questionnaire) -> None:
    assert "overdue_carried_risks" not in flags(dqi, {**GREEN, "overdue_risks": True}, {})
    read = read_answers(dqi, GREEN)
    result = evaluate(dqi, read.answers, read.not_applicable)  # eval --answers: no register
    assert "overdue_carried_risks" not in {f.id for f in result.flags}
    assert "overdue_carried_risks" not in result.undecided.flags  # no review: nothing settles it
    explained = evaluate(
        dqi, read.answers, register={"a": carried("2026-05-01"), "b": carried("2026-04-01")}
    )
    why = next(f.why for f in explained.flags if f.id == "overdue_carried_risks")
    assert why.startswith("2 risk(s) carried forward")


# ---- no_back_to_green_plan: whatever makes it red or amber -------------------------------


@pytest.mark.parametrize(
    ("actions", "raised"),
    [
        (None, True),
        ([], True),
        ([{"action": "Restart retros", "due": "2026-06-15"}], True),  # no owner
        ([{"action": "Restart retros", "owner": "Ana"}], True),  # no due date
        ([{"action": "Restart retros", "owner": "Ana", "due": "2026-06-15"}], False),
    ],
)
def test_missing_ceremonies_alone_ask_for_a_complete_back_to_green_plan(
    dqi: Questionnaire, actions: list[dict[str, str]] | None, raised: bool
) -> None:
    answers: dict[str, Any] = {
        **GREEN,
        "cadence": {**GREEN["cadence"], "retrospectives": False},
    }
    if actions is not None:
        answers["back_to_green_actions"] = actions
    found = flags(dqi, answers, {})
    assert "cadence_gaps" in found  # medium: amber
    assert ("no_back_to_green_plan" in found) is raised


def test_a_green_or_low_only_inspection_needs_no_plan_and_the_rule_never_counts_itself(
    dqi: Questionnaire,
) -> None:
    assert flags(dqi, GREEN, {}) == set()
    early = {**GREEN, "inspection_date": "2026-03-01"}
    assert flags(dqi, early, {}) == {"dqi_timing"}  # low: green, no plan asked


def test_undecided_flags_leave_the_plan_rule_undecided_until_one_is_raised(
    dqi: Questionnaire,
) -> None:
    read = read_answers(dqi, {"inspection_date": "2026-06-01"})
    result = evaluate(dqi, read.answers, read.not_applicable, register={})
    assert "no_back_to_green_plan" in result.undecided.flags
    assert "no_back_to_green_plan" not in {f.id for f in result.flags}
    asked = {q.question for q in next_questions(dqi, result, read.answers, {}, limit=None)}
    assert "milestone_progress" in asked  # what the other flags read decides it too
    read = read_answers(dqi, {"inspection_date": "2026-06-01", "milestone_progress": "at_risk"})
    result = evaluate(dqi, read.answers, read.not_applicable, register={})
    assert "no_back_to_green_plan" in {f.id for f in result.flags}


def test_a_rule_over_the_register_is_never_reused_on_the_keystroke_path(
    dqi: Questionnaire,
) -> None:
    read = read_answers(dqi, GREEN)
    before = evaluate(dqi, read.answers, read.not_applicable, register={})
    register = {"x": carried("2026-05-01")}
    after = evaluate(
        dqi,
        read.answers,
        read.not_applicable,
        register=register,
        previous=before,
        changed=frozenset({"x"}),  # a register row changed, no answer
    )
    full = evaluate(dqi, read.answers, read.not_applicable, register=register)
    assert [f.id for f in after.flags] == [f.id for f in full.flags]
    assert {"overdue_carried_risks", "no_back_to_green_plan"} <= {f.id for f in after.flags}


# ---- the helpers as authors write them ----------------------------------------------------

RULES = """\
id: t
title: T
version: "1"
sections:
  - id: s
    title: S
    questions:
      - {id: a, type: boolean, prompt: A}
      - {id: b, type: boolean, prompt: B}
      - {id: d, type: date, prompt: D}
risks:
  - {id: ra, title: A, category: c, severity: high, when: a}
  - {id: rb, title: B, category: c, severity: low, when: b}
  - id: plan
    title: Plan
    category: c
    severity: medium
    when: other_flags_raised("high", "medium")
  - {id: late, title: Late, category: c, severity: low, when: carried_overdue(d) > 0}
"""


def test_other_flags_raised_counts_the_others_at_those_severities(tmp_path: Path) -> None:
    q = load_questionnaire(write(tmp_path / "t.yaml", RULES))
    assert flags(q, {"a": True, "b": False}) == {"ra", "plan"}
    assert flags(q, {"a": False, "b": True}) == {"rb"}  # low does not count
    assert flags(q, {"a": False, "b": False}) == set()  # and never itself (it is medium)
    read = read_answers(q, {"b": True})  # `a` unanswered: it might be raised
    result = evaluate(q, read.answers, read.not_applicable)
    assert "plan" in result.undecided.flags


@pytest.mark.parametrize(
    ("where", "text"),
    [
        ("escalation", 'escalation: [{id: e, when: other_flags_raised("high"), reason: R}]'),
        ("checks", 'checks: [{id: c, when: other_flags_raised("high"), message: M}]'),
    ],
)
def test_other_flags_raised_is_for_risk_rules_only(tmp_path: Path, where: str, text: str) -> None:
    path = write(tmp_path / "t.yaml", RULES + text + "\n")
    with pytest.raises(SourceError) as caught:
        load_questionnaire(path)
    assert "other_flags_raised() can only be used in a risk rule's `when`" in str(caught.value)
