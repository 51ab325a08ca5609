from __future__ import annotations

from typing import Any

import pytest

from gatebook.engine import evaluate
from gatebook.engine.answers import read_answers
from gatebook.questionnaire import Questionnaire


def run(q: Questionnaire, answers: dict[str, Any]) -> Any:
    read = read_answers(q, answers)
    return evaluate(q, read.answers, read.not_applicable)


def flag_ids(result: Any) -> list[str]:
    return [f.id for f in result.flags]


def test_flags_with_rendered_why(every_type: Questionnaire) -> None:
    result = run(every_type, {"name": "x", "budget": "2.5M"})
    assert flag_ids(result) == ["big_budget"]
    assert result.flags[0].why == "Budget $2,500,000 is above $1M"
    assert result.flags[0].mitigation == "Review it."


def test_unanswered_inputs_raise_nothing(every_type: Questionnaire) -> None:
    result = run(every_type, {"name": "x"})
    assert flag_ids(result) == []


def test_ordered_levels_first_match_sets_severity(every_type: Questionnaire) -> None:
    high = run(every_type, {"name": "x", "hours": 100, "security_hours": 4})
    medium = run(every_type, {"name": "x", "hours": 100, "security_hours": 6})
    none = run(every_type, {"name": "x", "hours": 100, "security_hours": 8})
    zero = run(every_type, {"name": "x", "hours": 0, "security_hours": 8})
    assert [(f.id, f.severity) for f in high.flags] == [("low_security", "high")]
    assert [(f.id, f.severity) for f in medium.flags] == [("low_security", "medium")]
    assert high.flags[0].why == "Security is 4%"
    assert flag_ids(none) == [] and flag_ids(zero) == []


def test_decimal_thresholds_are_exact(every_type: Questionnaire) -> None:
    # 4.6 / 57.5 is exactly 0.08 (binary floats say 0.07999...): not below 8 %.
    result = run(every_type, {"name": "x", "hours": 57.5, "security_hours": 4.6})
    assert flag_ids(result) == []


def test_flags_sorted_by_severity_then_id(every_type: Questionnaire) -> None:
    result = run(
        every_type,
        {
            "budget": "2M",
            "start": "2026-01-01",
            "kickoff": "2026-01-05",
            "people_map": [{"who": "a", "raci": "R"}],
        },
    )
    assert [(f.severity, f.id) for f in result.flags] == [
        ("high", "big_budget"),
        ("medium", "no_accountable"),
        ("low", "late_kickoff"),
        ("low", "name_missing"),
    ]


def test_days_between_and_count_where(every_type: Questionnaire) -> None:
    ok = run(
        every_type,
        {
            "name": "x",
            "start": "2026-01-01",
            "kickoff": "2026-01-15",
            "people_map": [{"who": "a", "raci": "A"}, {"who": "b", "raci": "R"}],
        },
    )
    assert flag_ids(ok) == []
    two = run(
        every_type,
        {"name": "x", "people_map": [{"who": "a", "raci": "A"}, {"who": "b", "raci": "A"}]},
    )
    assert flag_ids(two) == ["no_accountable"]


def test_scores_weighted_and_not_applicable_drops_out(every_type: Questionnaire) -> None:
    result = run(every_type, {"quality_a": 4, "quality_b": 2, "speed": 0})
    assert result.scores == {"Q": 75.0, "S": 0.0}
    assert result.overall == pytest.approx((75 * 3 + 0) / 4, abs=0.05)
    assert result.target == 80
    na = run(every_type, {"quality_a": 4, "quality_b": {"not_applicable": "no team"}})
    assert na.scores == {"Q": 100.0, "S": None}
    assert na.overall == 100.0


def test_no_ratings_scores_null(every_type: Questionnaire) -> None:
    result = run(every_type, {})
    assert result.scores == {"Q": None, "S": None}
    assert result.overall is None


def test_gates(every_type: Questionnaire) -> None:
    partial = run(every_type, {"checks": "one", "signed": "yes"})
    gate = partial.gates["ready"]
    assert (gate.met, gate.total, gate.passed) == (2, 3, False)
    full = run(every_type, {"checks": "one,two", "signed": True})
    assert full.gates["ready"].passed


def test_escalation_with_reasons(every_type: Questionnaire) -> None:
    result = run(every_type, {"budget": "2M", "remote": "yes", "data": "pii"})
    assert result.escalate
    assert result.escalation_reasons == ["2 flags raised", "Remote team handling PII"]
    calm = run(every_type, {"name": "x", "remote": "yes", "data": "phi"})
    assert not calm.escalate and calm.escalation_reasons == []


def test_show_if_and_required_if(every_type: Questionnaire) -> None:
    hidden = run(every_type, {"size": "small"})
    assert "detail" not in hidden.visible
    assert hidden.missing == ["name", "budget"]
    shown = run(every_type, {"size": "large"})
    assert "detail" in shown.visible
    assert shown.missing == ["name", "budget", "detail"]


def test_not_applicable_satisfies_required(every_type: Questionnaire) -> None:
    result = run(every_type, {"name": {"not_applicable": "anonymous"}, "budget": "1M"})
    assert result.missing == []
    assert result.complete


def test_progress_counts_visible_questions(every_type: Questionnaire) -> None:
    result = run(every_type, {"name": "x", "budget": "1M"})
    assert result.progress == round(100 * 2 / len(result.visible), 1)


def test_json_contract_keys(every_type: Questionnaire) -> None:
    data = run(every_type, {"budget": "2M"}).to_json()
    for key in (
        "questionnaire",
        "version",
        "complete",
        "missing",
        "flags",
        "scores",
        "overall",
        "target",
        "gates",
        "escalate",
        "escalation_reasons",
    ):
        assert key in data
    assert data["gates"]["ready"] == {
        "passed": False,
        "met": 0,
        "total": 3,
        "unmet": ["checks.one", "checks.two", "signed"],
    }
    assert set(data["flags"][0]) >= {"id", "title", "category", "severity", "why"}
