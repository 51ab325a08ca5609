"""The benchmark's inputs are real: the generated questionnaire loads and validates."""

from __future__ import annotations

from pathlib import Path

import pytest
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


def test_the_merge_benchmark_merges_what_it_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`merge_60k_s` (budget 2.0) times a merge that really happens: both sides kept."""
    import json

    from benchmarks.__main__ import BUDGETS
    from benchmarks.merge import write_sides

    from .cli_support import run_gatebook

    assert BUDGETS["merge_60k_s"] == 2.0
    base, ours, theirs, label = write_sides(tmp_path, entries=200)
    monkeypatch.chdir(tmp_path)
    done = run_gatebook("merge-file", str(base), str(ours), str(theirs), label)
    assert done.returncode == 0, done.stderr
    merged = json.loads(ours.read_text())["review"]["1"]
    assert len(merged["history"]) == 400 and len(merged["follow_ups"]) == 400
