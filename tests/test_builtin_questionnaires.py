from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from gatebook.cli import main
from gatebook.examples import evaluate_example, run_examples
from gatebook.questionnaire import load_questionnaire

from .conftest import ROOT, write

BUILTINS = sorted((ROOT / "questionnaires").glob("*.yaml"))


@pytest.mark.parametrize("path", BUILTINS, ids=lambda p: p.stem)
def test_builtin_validates_and_examples_pass(path: Path) -> None:
    q = load_questionnaire(path)
    assert q.id == path.stem
    assert run_examples(q) == []


@pytest.mark.parametrize("path", BUILTINS, ids=lambda p: p.stem)
def test_examples_cover_every_flag_raised_and_not_raised(path: Path) -> None:
    q = load_questionnaire(path)
    raised_in: dict[str, int] = {r.id: 0 for r in q.risks}
    quiet_in: dict[str, int] = {r.id: 0 for r in q.risks}
    for example in q.examples:
        ids = {f.id for f in evaluate_example(q, example).flags}
        for rule in q.risks:
            if rule.id in ids:
                raised_in[rule.id] += 1
            else:
                quiet_in[rule.id] += 1
    assert [k for k, v in raised_in.items() if not v] == []
    assert [k for k, v in quiet_in.items() if not v] == []


@pytest.mark.parametrize("path", BUILTINS, ids=lambda p: p.stem)
def test_every_question_has_a_prompt_and_signoff_roles(path: Path) -> None:
    q = load_questionnaire(path)
    assert all(question.prompt.strip() for question in q.questions())
    assert any(role.required for role in q.signoff)


# --- OQR: every pattern at, just above and just below its threshold, through the CLI ---

BASE: dict[str, Any] = {
    "tcv_usd": "1M",
    "contract_type": "ffp",
    "ffp_value_usd": "100k",
    "risk_premium_pct": "20",
    "total_hours": "1000",
    "security_hours": "100",
    "partner_hours": "100",
    "partner_count": "1",
    "partner_responsibilities_clear": "yes",
    "production_access": "no",
    "regulated_data": [],
    "custom_ai_ml": "no",
    "customer_cloud_production_experience": "yes",
    "environment_understanding": "complete",
    "documentation_sufficient": "yes",
    "requirements_clarity": "clear",
}

CASES: list[tuple[str, dict[str, Any], bool]] = [
    ("large_deal_size", {"tcv_usd": "$5,000,000"}, False),
    ("large_deal_size", {"tcv_usd": "5000001"}, True),
    ("large_deal_size", {"tcv_usd": "4999999"}, False),
    ("large_deal_size", {"tcv_usd": None}, False),
    ("large_fixed_price", {"ffp_value_usd": "500k"}, False),
    ("large_fixed_price", {"ffp_value_usd": "500001"}, True),
    ("large_fixed_price", {"ffp_value_usd": "499999"}, False),
    ("large_fixed_price", {"ffp_value_usd": "900k", "contract_type": "tm"}, False),
    ("large_fixed_price", {"ffp_value_usd": "900k", "contract_type": "mixed"}, True),
    ("large_fixed_price", {"ffp_value_usd": None}, False),
    ("low_risk_premium", {"risk_premium_pct": "15%"}, False),
    ("low_risk_premium", {"risk_premium_pct": "14.99"}, True),
    ("low_risk_premium", {"risk_premium_pct": "15.01 %"}, False),
    ("low_risk_premium", {"risk_premium_pct": "5", "contract_type": "tm"}, False),
    ("low_risk_premium", {"risk_premium_pct": None}, False),
    ("production_access", {"production_access": "yes"}, True),
    ("production_access", {"production_access": "no"}, False),
    ("production_access", {"production_access": None}, False),
    ("regulated_data", {"regulated_data": ["pii"]}, True),
    ("regulated_data", {"regulated_data": "cui,pci"}, True),
    ("regulated_data", {"regulated_data": []}, False),
    ("regulated_data", {"regulated_data": None}, False),
    ("ai_ml_services", {"custom_ai_ml": "yes"}, True),
    ("ai_ml_services", {"custom_ai_ml": "no"}, False),
    ("ai_ml_services", {"custom_ai_ml": None}, False),
    ("missing_security", {"security_hours": "80"}, False),
    ("missing_security", {"security_hours": "79.9"}, True),
    ("missing_security", {"security_hours": "80.1"}, False),
    (
        "missing_security",
        {"security_hours": "4.6", "total_hours": "57.5", "partner_hours": "0"},
        False,
    ),
    (
        "missing_security",
        {"security_hours": "4.5", "total_hours": "57.5", "partner_hours": "0"},
        True,
    ),
    ("missing_security", {"total_hours": "0"}, False),
    ("missing_security", {"total_hours": None}, False),
    ("missing_security", {"security_hours": None}, False),
    ("thin_prime", {"partner_hours": "500"}, False),
    ("thin_prime", {"partner_hours": "500.1"}, True),
    ("thin_prime", {"partner_hours": "499.9"}, False),
    ("thin_prime", {"partner_hours": "600", "total_hours": "0"}, False),
    ("thin_prime", {"partner_hours": None}, False),
    ("partner_clarity", {"partner_responsibilities_clear": "no"}, True),
    ("partner_clarity", {"partner_responsibilities_clear": "yes"}, False),
    ("partner_clarity", {"partner_responsibilities_clear": "no", "partner_count": "0"}, False),
    ("partner_clarity", {"partner_responsibilities_clear": None}, False),
    ("multiple_partners", {"partner_count": "1"}, False),
    ("multiple_partners", {"partner_count": "2"}, True),
    ("multiple_partners", {"partner_count": "0"}, False),
    ("multiple_partners", {"partner_count": None}, False),
    ("low_customer_experience", {"customer_cloud_production_experience": "no"}, True),
    ("low_customer_experience", {"customer_cloud_production_experience": "yes"}, False),
    ("low_customer_experience", {"customer_cloud_production_experience": None}, False),
    ("incomplete_understanding", {"environment_understanding": "limited"}, True),
    ("incomplete_understanding", {"environment_understanding": "partial"}, False),
    ("incomplete_understanding", {"environment_understanding": None}, False),
    ("missing_documentation", {"documentation_sufficient": "no"}, True),
    ("missing_documentation", {"documentation_sufficient": "yes"}, False),
    ("missing_documentation", {"documentation_sufficient": None}, False),
    ("unclear_requirements", {"requirements_clarity": "ambiguous"}, True),
    ("unclear_requirements", {"requirements_clarity": "conflicting"}, True),
    ("unclear_requirements", {"requirements_clarity": "clear"}, False),
    ("unclear_requirements", {"requirements_clarity": None}, False),
]


def eval_oqr(tmp_path: Path, answers: dict[str, Any]) -> dict[str, Any]:
    path = write(tmp_path / "answers.json", json.dumps(answers))
    result = CliRunner().invoke(main, ["eval", "oqr", "--answers", str(path), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_base_raises_nothing(tmp_path: Path) -> None:
    assert eval_oqr(tmp_path, BASE)["flags"] == []


@pytest.mark.parametrize(
    ("flag", "change", "raised"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_oqr_pattern_threshold(
    tmp_path: Path, flag: str, change: dict[str, Any], raised: bool
) -> None:
    answers = {**BASE, **change}
    answers = {k: v for k, v in answers.items() if v is not None}
    data = eval_oqr(tmp_path, answers)
    ids = [f["id"] for f in data["flags"]]
    assert (flag in ids) is raised
    assert set(ids) <= {flag}
    for item in data["flags"]:
        assert item["severity"] == "high"


def test_two_high_flags_escalate(tmp_path: Path) -> None:
    data = eval_oqr(tmp_path, {**BASE, "tcv_usd": "6M", "custom_ai_ml": "yes"})
    assert data["escalate"] is True
    assert any("2 high-risk patterns" in r for r in data["escalation_reasons"])
    one = eval_oqr(tmp_path, {**BASE, "tcv_usd": "6M"})
    assert one["escalate"] is False


@pytest.mark.parametrize(
    "question",
    [
        "requirements_conflict_security",
        "resource_constraints_impact_quality",
        "technical_feasibility_concerns",
        "stakeholder_alignment_blocked",
    ],
)
def test_escalation_questions(tmp_path: Path, question: str) -> None:
    assert eval_oqr(tmp_path, {**BASE, question: "yes"})["escalate"] is True
    assert eval_oqr(tmp_path, {**BASE, question: "no"})["escalate"] is False
