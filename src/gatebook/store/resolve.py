"""Settling a conflict a git merge recorded: the changes that write the chosen value
into the conflicted field (checked as typing it would be)."""

from __future__ import annotations

from typing import Any

from gatebook.questionnaire.ids import did_you_mean
from gatebook.questionnaire.models import Questionnaire
from gatebook.store.history import Change
from gatebook.store.model import ChangeKind, Review
from gatebook.store.records import RecordProblem

FIELD_KINDS = {
    "answers": ChangeKind.ANSWER,
    "notes": ChangeKind.NOTE,
    "not_applicable": ChangeKind.NOT_APPLICABLE,
    "mitigations": ChangeKind.MITIGATION,
}


def resolution_changes(
    review: Review,
    questionnaire: Questionnaire,
    field: str,
    take: str | None,
    value: str | None,
) -> list[Change]:
    """RecordProblem (exit 2) for a field with no conflict or a value that does not
    read; the changes otherwise (possibly none: ours is already in place)."""
    from gatebook.engine.answers import read_answer, stored_answer_problems

    conflict = next((c for c in review.conflicts if c.field == field), None)
    if conflict is None:
        known = [c.field for c in review.conflicts]
        hint = did_you_mean(field, known) if known else " It has no conflicts."
        raise RecordProblem(f"{field}: no such conflict in {review.id}.{hint}")
    head, _, rest = field.partition(".")
    chosen: Any = getattr(conflict, take) if take else value
    if head == "answers":
        if take is None:
            chosen = read_answer(questionnaire, rest, value)
        elif chosen is not None:
            problems = stored_answer_problems(questionnaire, {rest: chosen})
            if problems:
                raise RecordProblem(str(problems[0]))
        return [Change(ChangeKind.ANSWER, rest, chosen)]
    if head in FIELD_KINDS:
        return [Change(FIELD_KINDS[head], rest, chosen)]
    if head in ("title", "subject") and not rest:
        return [Change(ChangeKind(head), head, chosen or "")]
    if head == "risk_register":
        row_id, _, name = rest.partition(".")
        stored = review.risk_register.get(row_id)
        row = stored.model_dump(mode="json") if stored is not None else None
        if name:
            if take is None and name not in ("contingency", "owner", "title", "category"):
                raise RecordProblem(f"{field}: write it with --take, or `gatebook risk`")
            row = dict(row or {"flag": row_id})
            row[name] = chosen
        else:
            row = chosen
        return [Change(ChangeKind.RISK, row_id, row)]
    if head == "escalation" and not rest:
        if take is None:
            raise RecordProblem("escalation: settle it with --take, or `gatebook escalate`")
        return [Change(ChangeKind.ESCALATION, "escalation", chosen)]
    if head == "version" and take is not None:
        return []  # kept on the record by the settle itself
    raise RecordProblem(f"{field}: cannot be settled with --value; use --take")
