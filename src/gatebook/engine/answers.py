"""Reading an answers mapping (from a YAML/JSON file or `ID=VALUE` pairs)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from gatebook.engine.text import typed_text
from gatebook.engine.values import JsonValue, ValueProblem, read_typed, read_value
from gatebook.questionnaire.ids import did_you_mean
from gatebook.questionnaire.models import Questionnaire


class AnswerProblem(ValueError):
    """An answer that cannot be taken; the message names the question."""

    def __init__(self, question_id: str, message: str, prompt: str | None = None) -> None:
        named = f"{prompt} [{question_id}]" if prompt else question_id
        super().__init__(f"{named}: {message}")
        self.question_id = question_id
        self.detail = message


def unknown_question(questionnaire: Questionnaire, question_id: str) -> AnswerProblem:
    known = [q.id for q in questionnaire.questions()]
    return AnswerProblem(
        question_id,
        f"unknown question id for {questionnaire.id}.{did_you_mean(question_id, known)}",
    )


@dataclass
class ReadAnswers:
    answers: dict[str, JsonValue] = field(default_factory=dict)
    not_applicable: dict[str, str] = field(default_factory=dict)


def read_answer(
    questionnaire: Questionnaire, question_id: str, raw: Any, *, typed: bool = True
) -> JsonValue:
    """An answer as a person typed it (`typed`: its text checked as new text), or, with
    `typed=False`, a value already stored, read and never rewritten (an import, a merge)."""
    question = questionnaire.question(question_id)
    if question is None:
        raise unknown_question(questionnaire, question_id)
    try:
        return read_typed(question, raw) if typed else read_value(question, raw)
    except ValueProblem as problem:
        raise AnswerProblem(question_id, str(problem), question.prompt) from None


def read_text_for(
    questionnaire: Questionnaire, question_id: str, text: str, what: str = "note"
) -> str:
    """New text written on a question (a note, an N/A reason), checked as typed text:
    AnswerProblem naming the question when it cannot be stored."""
    question = questionnaire.question(question_id)
    if question is None:
        raise unknown_question(questionnaire, question_id)
    try:
        return typed_text(text)
    except ValueProblem as problem:
        raise AnswerProblem(question_id, f"{what}: {problem}", question.prompt) from None


def read_answers(questionnaire: Questionnaire, data: Mapping[str, Any] | None) -> ReadAnswers:
    """Read every answer as a person typed it; `{not_applicable: reason}` marks N/A."""
    result = ReadAnswers()
    for key, raw in (data or {}).items():
        question_id = str(key)
        if isinstance(raw, dict) and set(raw) == {"not_applicable"}:
            if questionnaire.question(question_id) is None:
                raise unknown_question(questionnaire, question_id)
            reason = str(raw["not_applicable"] or "")
            result.not_applicable[question_id] = read_text_for(
                questionnaire, question_id, reason, "not applicable"
            )
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
            read_answer(questionnaire, str(key), value, typed=False)
        except AnswerProblem as problem:
            problems.append(problem)
        except (ValueError, TypeError, RecursionError) as error:
            problems.append(AnswerProblem(str(key), f"cannot read the value ({error})"))
    for what, keys in keyed.items():
        for key in keys:
            if questionnaire.question(str(key)) is None:
                detail = unknown_question(questionnaire, str(key)).detail
                problems.append(AnswerProblem(str(key), f"{what}: {detail}"))
    return problems
