"""Running a questionnaire's `examples:` through the engine: rule tests for authors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ValidationError

from gatebook.engine import Evaluation, evaluate
from gatebook.engine.answers import AnswerProblem, read_answers
from gatebook.questionnaire.loader import example_problem
from gatebook.questionnaire.models import Example, Questionnaire
from gatebook.questionnaire.source import Problem
from gatebook.store.model import OutcomeRow, RiskRow

SCORE_TOLERANCE = 0.05


def run_examples(questionnaire: Questionnaire) -> list[Problem]:
    """One problem per example that does not hold, located at the example."""
    problems: list[Problem] = []
    for index, example in enumerate(questionnaire.examples):
        label = f"example {example.name!r}"
        try:
            result = evaluate_example(questionnaire, example)
        except (AnswerProblem, ExampleRowProblem) as problem:
            problems.append(example_problem(questionnaire, index, f"{label}: {problem}"))
            continue
        raised = {flag.id for flag in result.flags}
        expected = set(example.flags)
        if raised != expected:
            parts = []
            if expected - raised:
                parts.append("expected but not raised: " + ", ".join(sorted(expected - raised)))
            if raised - expected:
                parts.append("raised but not expected: " + ", ".join(sorted(raised - expected)))
            problems.append(
                example_problem(
                    questionnaire,
                    index,
                    f"{label} fails: {'; '.join(parts)}. Fix the rule, or the example's "
                    "`flags:` list",
                )
            )
        if example.escalate is not None and example.escalate != result.escalate:
            problems.append(
                example_problem(
                    questionnaire,
                    index,
                    f"{label} fails: expected escalate: {str(example.escalate).lower()}, got "
                    f"{str(result.escalate).lower()}",
                )
            )
        for key, want in (example.scores or {}).items():
            got = result.overall if key == "overall" else result.scores.get(key)
            same = (got is None and want is None) or (
                got is not None and want is not None and abs(got - want) <= SCORE_TOLERANCE
            )
            if not same:
                problems.append(
                    example_problem(
                        questionnaire,
                        index,
                        f"{label} fails: score {key} expected {want}, got {got}",
                    )
                )
    return problems


class ExampleRowProblem(ValueError):
    """An example's `outcomes:` or `risk_register:` row is not a row the store would keep."""


def _rows(
    rows: list[dict[str, Any]] | dict[str, dict[str, Any]] | None,
    model: type[BaseModel],
    key: str,
) -> dict[str, Any]:
    """The rows keyed as a review keeps them: a mapping keeps its row ids, a list is
    keyed `outcome_1`, `risk_1`, ... in order."""
    prefix = "outcome" if key == "outcomes" else "risk"
    keyed = (
        list(rows.items())
        if isinstance(rows, dict)
        else [(f"{prefix}_{n}", row) for n, row in enumerate(rows or [], start=1)]
    )
    checked: dict[str, Any] = {}
    for number, (row_id, row) in enumerate(keyed, start=1):
        try:
            written = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in row.items()}
            checked[row_id] = model.model_validate(written).model_dump(mode="json")
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise ExampleRowProblem(f"{key} row {number}: {where}: {first['msg']}") from None
    return checked


def evaluate_example(questionnaire: Questionnaire, example: Example) -> Evaluation:
    """An example's answers evaluated; with `outcomes:` or `risk_register:` as a review holding
    those rows, else as `eval --answers` (helpers over the registers unknown)."""
    read = read_answers(questionnaire, example.answers)
    if example.outcomes is None and example.risk_register is None:
        return evaluate(questionnaire, read.answers, read.not_applicable)
    return evaluate(
        questionnaire,
        read.answers,
        read.not_applicable,
        register=_rows(example.risk_register, RiskRow, "risk_register"),
        outcomes=_rows(example.outcomes, OutcomeRow, "outcomes"),
    )
