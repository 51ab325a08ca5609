"""Settling a conflict a git merge recorded: the one change that writes the chosen value
into the conflicted field, checked as typing it would be.

A conflict entry comes from a file another laptop wrote, so each side's value is read
again here like input: a value `set`, `risk` or `escalate` would refuse is refused
(RecordProblem, exit 2, nothing written), never written into the review.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ValidationError

from gatebook.questionnaire.ids import IDENTIFIER, did_you_mean
from gatebook.questionnaire.models import Questionnaire
from gatebook.store.history import Change
from gatebook.store.model import (
    ChangeKind,
    Conflict,
    EscalationRecord,
    OutcomeRow,
    Review,
    RiskRow,
)
from gatebook.store.outcomes import outcome_change, written
from gatebook.store.records import MAX_RECORD_TEXT, RecordProblem, checked_date

TEXT_KINDS = {
    "notes": ChangeKind.NOTE,
    "not_applicable": ChangeKind.NOT_APPLICABLE,
    "mitigations": ChangeKind.MITIGATION,
}
OPTIONAL_ROW_FIELDS = frozenset({"flag", "severity", "likelihood", "impact", "due", "origin"})
_ID = re.compile(IDENTIFIER)
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
SIDES = ("ours", "theirs", "base")


def open_conflicts_message(review: Review) -> str | None:
    """What `export`, `signoff` and `engagement plan` say of a review a merge left with
    open conflicts (None when it has none): each field, and the command that settles it."""
    if not review.conflicts:
        return None
    count = len(review.conflicts)
    fields = ", ".join(c.field for c in review.conflicts)
    return (
        f"{review.id} has {count} open merge conflict{'' if count == 1 else 's'}: {fields}; "
        f"settle each with `gatebook resolve {review.id} FIELD --take ours|theirs|base` "
        f"or `--value V` (`gatebook conflicts {review.id}` lists them)"
    )


def find_conflict(conflicts: list[Conflict], field: str, owner: str) -> Conflict:
    """The open conflict on `field`, else RecordProblem naming the ones there are."""
    conflict = next((c for c in conflicts if c.field == field), None)
    if conflict is None:
        known = [c.field for c in conflicts]
        hint = (
            f" Its conflicts: {', '.join(known)}.{did_you_mean(field, known)}"
            if known
            else " It has no conflicts."
        )
        raise RecordProblem(f"{field}: not a conflict of {owner}.{hint}")
    return conflict


def chosen_value(conflict: Conflict, take: str | None, value: str | None) -> Any:
    """The side's value (--take) or the typed text (--value)."""
    if (take is None) == (value is None):
        raise RecordProblem("give --take ours|theirs|base or --value VALUE (one of them)")
    if take is not None:
        if take not in SIDES:
            raise RecordProblem(f"--take must be one of {', '.join(SIDES)}, not {take!r}")
        return getattr(conflict, take)
    return value


def checked_text(
    field: str, value: Any, *, side: str | None, empty_ok: bool = True, record: bool = False
) -> str:
    """Text a person could have typed: a string with no control character but tab,
    line feed and carriage return and no lone surrogate; on a register row or the
    escalation record (`record`) at most as long as `risk` and `escalate` take."""
    where = f"{field}: {side} value" if side else f"{field}: --value"
    if not isinstance(value, str):
        raise RecordProblem(f"{where} {_short(value)} is not text")
    if record and len(value) > MAX_RECORD_TEXT:
        raise RecordProblem(f"{where}: at most {MAX_RECORD_TEXT:,} characters")
    if _UNWRITABLE.search(value):
        raise RecordProblem(
            f"{where} holds a control character or a lone surrogate; write plain text "
            "with --value instead"
        )
    if not empty_ok and not value.strip():
        raise RecordProblem(f"{where} is empty; it needs text")
    return value


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=True, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _row_part(field: str, rest: str, model: type[BaseModel], noun: str) -> tuple[str, str]:
    """`ROW` or `ROW.FIELD` of a register's conflict field: the row id and the field
    name (empty for the whole row), both checked (risk rows and outcomes alike)."""
    row_id, _, name = rest.partition(".")
    if not _ID.fullmatch(row_id) or "." in name:
        raise RecordProblem(f"{field}: {row_id!r} is not {noun} id")
    if name and name not in model.model_fields:
        known = list(model.model_fields)
        raise RecordProblem(f"{field}: {name!r} is not {noun} field.{did_you_mean(name, known)}")
    return row_id, name


def _whole_row(field: str, chosen: Any, take: str | None, example: str) -> Any:
    """A whole row as settled: None (removed), a side's value as it is, or a typed
    `--value` read as a JSON object."""
    if chosen is not None and take is None:
        return _json_object(field, chosen, example)
    return chosen


def _json_object(field: str, value: str, example: str) -> dict[str, Any]:
    try:
        data = json.loads(value)
    except (json.JSONDecodeError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise RecordProblem(
            f"{field}: --value {_short(value)} is not a JSON object; write one, e.g. "
            f"--value '{example}', or use --take"
        )
    return data


def _model_problem(field: str, side: str | None, error: ValidationError) -> RecordProblem:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "the value"
    given = f"{side} value" if side else "--value"
    return RecordProblem(f"{field}: the {given} is refused ({where}: {first['msg']})")


def nothing_written(problem: RecordProblem) -> RecordProblem:
    """The refusal, saying that nothing was written (once)."""
    text = str(problem).rstrip(". ")
    return RecordProblem(text if text.endswith("nothing written") else f"{text}; nothing written")


def resolution_changes(
    review: Review,
    questionnaire: Questionnaire,
    field: str,
    take: str | None,
    value: str | None,
) -> list[Change]:
    """The one change that settles `field` (RecordProblem, exit 2, when the field has no
    conflict or the value would be refused where it is typed)."""
    try:
        return [_resolution_change(review, questionnaire, field, take, value)]
    except RecordProblem as problem:
        raise nothing_written(problem) from None


def _resolution_change(
    review: Review,
    questionnaire: Questionnaire,
    field: str,
    take: str | None,
    value: str | None,
) -> Change:
    conflict = find_conflict(review.conflicts, field, review.id)
    chosen = chosen_value(conflict, take, value)
    head, _, rest = field.partition(".")
    if head == "answers" and rest:
        return Change(ChangeKind.ANSWER, rest, _answer(questionnaire, field, rest, chosen, take))
    if head in TEXT_KINDS and _ID.match(rest):
        if chosen is None or (head == "not_applicable" and chosen == ""):
            return Change(TEXT_KINDS[head], rest, None)
        _known_id(review, questionnaire, head, rest)
        return Change(TEXT_KINDS[head], rest, checked_text(field, chosen, side=take))
    if head == "risk_register" and rest:
        return _register_change(review, questionnaire, field, rest, chosen, take)
    if head == "outcomes" and rest:
        return _outcome_change(review, field, rest, chosen, take)
    if field == "escalation":
        return _escalation_change(field, chosen, take)
    if field in ("title", "subject"):
        text = "" if chosen is None and field == "subject" else chosen
        text = checked_text(field, text, side=take, empty_ok=field == "subject")
        return Change(ChangeKind(field), field, text.strip() if field == "title" else text)
    if field == "version":
        if take is None:
            raise RecordProblem(
                "version: the questionnaire version is not typed; take a side with "
                "--take ours|theirs|base"
            )
        version = checked_text(field, chosen, side=take, empty_ok=False)
        return Change(ChangeKind.VERSION, "version", version)
    raise RecordProblem(
        f"{field}: not a field gatebook settles (answers.ID, notes.ID, not_applicable.ID, "
        "mitigations.ROW, risk_register.ROW[.FIELD], outcomes.ROW[.FIELD], escalation, title, "
        "subject, version)"
    )


def _known_id(review: Review, questionnaire: Questionnaire, head: str, key: str) -> None:
    """A note, N/A reason or mitigation is written only where `set` would write it: on a
    question (a flag or register row for a mitigation) of the questionnaire, or on a key
    the review holds already (one its questionnaire has since dropped)."""
    stored: dict[str, str] = getattr(review, head)
    if key in stored:
        return
    if head == "mitigations":
        known = [risk.id for risk in questionnaire.risks] + list(review.risk_register)
        what = "flag or register row"
    else:
        known = [question.id for question in questionnaire.questions()]
        what = "question"
    if key not in known:
        raise RecordProblem(
            f"{head}.{key}: unknown {what} id for {questionnaire.id}.{did_you_mean(key, known)}"
        )


def _answer(
    questionnaire: Questionnaire, field: str, question_id: str, chosen: Any, take: str | None
) -> Any:
    """The answer as `set` reads it (a side's stored value is read again the same way)."""
    from gatebook.engine.answers import AnswerProblem, read_answer

    if chosen is None:
        return None
    if any(_UNWRITABLE.search(text) for text in _strings(chosen)):
        given = f"the {take} value" if take else "--value"
        raise RecordProblem(
            f"{field}: {given} holds a control character or a lone surrogate; write plain "
            "text with --value instead"
        )
    try:
        return read_answer(questionnaire, question_id, chosen)
    except AnswerProblem as problem:
        given = f"the {take} value {_short(chosen)}" if take else "--value"
        raise RecordProblem(f"{field}: {given} is refused: {problem}") from None
    except (ValueError, TypeError, RecursionError):
        raise RecordProblem(
            f"{field}: the {take} value {_short(chosen)} is not a value of this question; "
            "write one with --value"
        ) from None


def _strings(value: Any, depth: int = 0) -> list[str]:
    """Every text in an answer (a table's cells, a list's items), to a sane depth."""
    if isinstance(value, str):
        return [value]
    if depth > 8:
        return []
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in (str(k), *_strings(v, depth + 1))]
    if isinstance(value, list):
        return [t for item in value for t in _strings(item, depth + 1)]
    return []


def _register_change(
    review: Review,
    questionnaire: Questionnaire,
    field: str,
    rest: str,
    chosen: Any,
    take: str | None,
) -> Change:
    """A whole row (`risk_register.ROW`: a JSON object, or removed) or one of its fields
    (`risk_register.ROW.FIELD`, read as `gatebook risk` reads it)."""
    row_id, name = _row_part(field, rest, RiskRow, "a register row")
    if not name:
        row = _whole_row(field, chosen, take, '{"title": "...", "contingency": "..."}')
        if row is None:
            return Change(ChangeKind.RISK, row_id, None)
    else:
        stored = review.risk_register.get(row_id)
        flags = {risk.id for risk in questionnaire.risks}
        row = (
            stored.model_dump(mode="json")
            if stored is not None
            else {"flag": row_id if row_id in flags else None}
        )
        if take is None and name == "due":
            chosen = checked_date(chosen, field) if chosen.strip() else None
        elif take is None and name in OPTIONAL_ROW_FIELDS and not chosen.strip():
            chosen = None
        if chosen is None:
            row.pop(name, None)
        else:
            row[name] = chosen
    if not isinstance(row, dict):
        raise RecordProblem(f"{field}: the {take} value {_short(row)} is not a row")
    for key in ("title", "category", "contingency", "owner"):
        if key in row:
            checked_text(field, row[key], side=take, record=True)
    by_hand = not row.get("flag") and row_id not in {risk.id for risk in questionnaire.risks}
    if by_hand and not str(row.get("title") or "").strip():
        raise RecordProblem(
            f"{field}: a risk added by hand needs its title (as `gatebook risk --add TITLE`)"
        )
    if isinstance(row.get("due"), str):
        row = dict(row, due=checked_date(row["due"], field))
    try:
        return Change(ChangeKind.RISK, row_id, RiskRow.model_validate(row).model_dump(mode="json"))
    except ValidationError as error:
        raise _model_problem(field, take, error) from None


def _escalation_change(field: str, chosen: Any, take: str | None) -> Change:
    if chosen is None:
        return Change(ChangeKind.ESCALATION, "record", None)
    if take is None:
        chosen = _json_object(
            field, chosen, '{"to": "Maria Ortiz", "decision": "proceed", "date": "2026-12-01"}'
        )
    if not isinstance(chosen, dict):
        raise RecordProblem(f"{field}: the {take} value {_short(chosen)} is not a record")
    try:
        record = EscalationRecord.model_validate(chosen)
    except ValidationError as error:
        raise _model_problem(field, take, error) from None
    for text in (record.to, record.note, *record.reasons):
        checked_text(field, text, side=take, record=True)
    checked_date(record.date, field)
    return Change(ChangeKind.ESCALATION, "record", record.model_dump(mode="json"))


def _outcome_change(review: Review, field: str, rest: str, chosen: Any, take: str | None) -> Change:
    """The change settling `outcomes.ROW` (a whole row: a JSON object, or removed) or
    `outcomes.ROW.FIELD` (read as `gatebook outcome` reads it); a side's value is read
    again like input (RecordProblem, nothing written)."""
    row_id, name = _row_part(field, rest, OutcomeRow, "an outcome")
    if not name:
        row = _whole_row(field, chosen, take, '{"title": "...", "status": "on_track"}')
        if row is None:
            return Change(ChangeKind.OUTCOME, row_id, None)
    else:
        stored = review.outcomes.get(row_id)
        row = stored.model_dump(mode="json") if stored is not None else {}
        if take is None and name == "origin":
            row["origin"] = chosen.strip() or None
        elif take is None:
            try:
                row = written(row, {name: chosen})
            except RecordProblem as problem:
                raise RecordProblem(f"{field}: {problem}") from None
        elif chosen is None:
            row.pop(name, None)
        else:
            row[name] = chosen
    if not isinstance(row, dict):
        raise RecordProblem(f"{field}: the {take} value {_short(row)} is not a row")
    for key in ("title", "metric", "baseline", "target", "evidence"):
        if key in row:
            checked_text(field, row[key], side=take, record=True)
    if not str(row.get("title") or "").strip():
        raise RecordProblem(f"{field}: an outcome needs its title (as `gatebook outcome --add`)")
    if isinstance(row.get("by"), str):
        row = dict(row, by=checked_date(row["by"], field))
    try:
        return outcome_change(row_id, row)
    except ValidationError as error:
        raise _model_problem(field, take, error) from None
