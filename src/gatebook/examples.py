"""Running a questionnaire's `examples:` through the engine: rule tests for authors."""

from __future__ import annotations

from gatebook.engine import Evaluation, evaluate
from gatebook.engine.answers import AnswerProblem, read_answers
from gatebook.questionnaire.loader import example_problem
from gatebook.questionnaire.models import Example, Questionnaire
from gatebook.questionnaire.source import Problem

SCORE_TOLERANCE = 0.05


def evaluate_example(questionnaire: Questionnaire, example: Example) -> Evaluation:
    """An example's answers evaluated as a review holding its registers would be (with
    `risk_register:`), else as `eval --answers` does: helpers over registers unknown.
    Raises AnswerProblem for an answer that cannot be read."""
    read = read_answers(questionnaire, example.answers)
    return evaluate(
        questionnaire, read.answers, read.not_applicable, register=example.risk_register
    )


def run_examples(questionnaire: Questionnaire) -> list[Problem]:
    """One problem per example that does not hold, located at the example."""
    problems: list[Problem] = []
    for index, example in enumerate(questionnaire.examples):
        label = f"example {example.name!r}"
        try:
            result = evaluate_example(questionnaire, example)
        except AnswerProblem as problem:
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
