"""Reading an answers mapping (from a YAML/JSON file or `ID=VALUE` pairs)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from gatebook.engine.values import JsonValue, ValueProblem, read_value
from gatebook.questionnaire.models import Questionnaire


class AnswerProblem(ValueError):
    """An answer that cannot be taken; the message names the question."""

    def __init__(self, question_id: str, message: str) -> None:
        super().__init__(f"{question_id}: {message}")
        self.question_id = question_id
        self.detail = message


@dataclass
class ReadAnswers:
    answers: dict[str, JsonValue] = field(default_factory=dict)
    not_applicable: dict[str, str] = field(default_factory=dict)


def read_answer(questionnaire: Questionnaire, question_id: str, raw: Any) -> JsonValue:
    question = questionnaire.question(question_id)
    if question is None:
        raise AnswerProblem(question_id, "unknown question id for " + questionnaire.id)
    try:
        return read_value(question, raw)
    except ValueProblem as problem:
        raise AnswerProblem(question_id, str(problem)) from None


def read_answers(questionnaire: Questionnaire, data: Mapping[str, Any] | None) -> ReadAnswers:
    """Read every answer as a person typed it; `{not_applicable: reason}` marks N/A."""
    result = ReadAnswers()
    for key, raw in (data or {}).items():
        question_id = str(key)
        if isinstance(raw, dict) and set(raw) == {"not_applicable"}:
            if questionnaire.question(question_id) is None:
                raise AnswerProblem(question_id, "unknown question id for " + questionnaire.id)
            result.not_applicable[question_id] = str(raw["not_applicable"] or "")
            continue
        value = read_answer(questionnaire, question_id, raw)
        if value is not None:
            result.answers[question_id] = value
    return result


def stored_answer_problems(
    questionnaire: Questionnaire,
    answers: Mapping[str, Any],
    *,
    keyed: Mapping[str, Iterable[str]] = {},
) -> list[AnswerProblem]:
    """Every answer that input would refuse (unknown id, wrong type, option, range), and
    every key in `keyed` (notes, N/A, follow-ups by name) that is not a question id:
    what an import checks before it writes anything."""
    problems: list[AnswerProblem] = []
    for key, value in answers.items():
        try:
            read_answer(questionnaire, str(key), value)
        except AnswerProblem as problem:
            problems.append(problem)
        except (ValueError, TypeError, RecursionError) as error:
            problems.append(AnswerProblem(str(key), f"cannot read the value ({error})"))
    for what, keys in keyed.items():
        for key in keys:
            if questionnaire.question(str(key)) is None:
                problems.append(
                    AnswerProblem(str(key), f"{what}: unknown question id for {questionnaire.id}")
                )
    return problems
