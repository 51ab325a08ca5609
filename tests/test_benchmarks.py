"""The benchmark's inputs are real: the generated questionnaire loads and validates."""

from __future__ import annotations

from pathlib import Path

from benchmarks.__main__ import broken
from benchmarks.generate import write

from gatebook.examples import run_examples
from gatebook.questionnaire import load_questionnaire


def test_generated_questionnaire_validates(tmp_path: Path) -> None:
    questionnaire = load_questionnaire(write(tmp_path / "big.yaml", 1000))
    assert len(questionnaire.questions()) == 1000
    assert len(questionnaire.sections) == 10
    assert len(questionnaire.risks) == 300
    assert run_examples(questionnaire) == []


def test_a_broken_budget_is_reported() -> None:
    figures = {
        "fast": {"value": 1.0, "budget": 1.5},
        "slow": {"value": 2.0, "budget": 1.5},
        "report": {"value": 99.0, "budget": None},
    }
    assert broken(figures) == ["slow"]
