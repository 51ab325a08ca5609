"""Edits to what a review records besides answers: risk register rows, the escalation
record, sessions and a section's N/A — checked here once, as `Change`s, for the
CLI and the app alike (docs/contracts.md "Risk register", "Escalation record",
"Sessions"). Bad input raises `RecordProblem` and changes nothing.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from gatebook.engine import Evaluation
from gatebook.engine.text import typed_text
from gatebook.engine.values import ValueProblem, parse_date
from gatebook.questionnaire.ids import did_you_mean
from gatebook.questionnaire.models import Questionnaire
from gatebook.store.history import Change
from gatebook.store.model import (
    ESCALATION_DECISIONS,
    RISK_STATUSES,
    ChangeKind,
    Review,
    RiskRow,
)

LEVELS = ("high", "medium", "low")
ROW_FIELDS = ("contingency", "owner", "due", "status")
MAX_RECORD_TEXT = 20_000
ROW_ID_ALPHABET = string.ascii_lowercase + string.digits


class RecordProblem(ValueError):
    """The edit cannot be made as asked; the message says what to write instead."""


def checked_date(text: str, what: str) -> str:
    try:
        return parse_date(text.strip())
    except ValueProblem as problem:
        raise RecordProblem(f"{what}: {problem}") from None


def checked_text(value: str, what: str) -> str:
    """New text for a record, for the CLI and the app alike: at most 20,000 characters,
    no control character but tab and line breaks, no lone surrogate (RecordProblem);
    CR and CRLF are stored as LF."""
    if len(value) > MAX_RECORD_TEXT:
        raise RecordProblem(f"{what}: at most {MAX_RECORD_TEXT:,} characters")
    try:
        return typed_text(value)
    except ValueProblem as problem:
        raise RecordProblem(f"{what}: {problem}") from None


_text = checked_text


def _choice(value: str | None, allowed: tuple[str, ...], what: str) -> str | None:
    if value is None:
        return None
    if value not in allowed:
        raise RecordProblem(f"{what} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def risk_changes(
    review: Review,
    questionnaire: Questionnaire,
    evaluation: Evaluation,
    row_id: str,
    *,
    mitigation: str | None = None,
    contingency: str | None = None,
    owner: str | None = None,
    due: str | None = None,
    status: str | None = None,
) -> list[Change]:
    """The changes that write these fields on one register row (None: keep as is;
    `due=""` clears the date). A flag's row id is the flag id; a flag that is not
    raised and has no row is refused."""
    rows = {row.id: row for row in evaluation.register}
    flag_ids = {risk.id for risk in questionnaire.risks}
    if row_id not in rows:
        if row_id in flag_ids:
            raise RecordProblem(
                f"{row_id}: the flag is not raised and has no register row; "
                "a flag's row starts when it is raised"
            )
        known = sorted(rows) or sorted(flag_ids)
        raise RecordProblem(f"{row_id}: no such register row.{did_you_mean(row_id, known)}")
    stored = review.risk_register.get(row_id)
    row: dict[str, Any] = stored.model_dump(mode="json") if stored is not None else {"flag": row_id}
    return _written(
        row_id,
        row,
        mitigation=mitigation,
        contingency=contingency,
        owner=owner,
        due=due,
        status=status,
        new=False,
    )


def _written(
    row_id: str,
    row: dict[str, Any],
    *,
    mitigation: str | None,
    contingency: str | None,
    owner: str | None,
    due: str | None,
    status: str | None,
    new: bool,
) -> list[Change]:
    """The changes that write the given fields on a row (checked); a new row is always
    written, an existing one only when a field of its own changes."""
    if contingency is not None:
        row["contingency"] = _text(contingency, "--contingency")
    if owner is not None:
        row["owner"] = _text(owner, "--owner")
    if due is not None:
        row["due"] = checked_date(due, "--due") if due.strip() else None
    if status is not None:
        row["status"] = _choice(status, RISK_STATUSES, "--status")
    changes: list[Change] = []
    if new or any(v is not None for v in (contingency, owner, due, status)):
        changes.append(Change(ChangeKind.RISK, row_id, RiskRow.model_validate(row).model_dump()))
    if mitigation is not None:
        changes.append(Change(ChangeKind.MITIGATION, row_id, _text(mitigation, "--mitigation")))
    return changes


def new_row_id(taken: set[str], prefix: str = "risk_") -> str:
    """`risk_` (an outcome: `outcome_`) and six random lower-case letters and digits: two
    laptops adding a row to the same review before they merge never choose the same id
    (36^6 ids), where counting (`risk_1`, the ids rows added before kept) gave both the
    same row."""
    while True:
        row_id = prefix + "".join(secrets.choice(ROW_ID_ALPHABET) for _ in range(6))
        if row_id not in taken:
            return row_id


def new_risk(
    review: Review,
    questionnaire: Questionnaire,
    title: str,
    *,
    severity: str | None = None,
    likelihood: str | None = None,
    impact: str | None = None,
    mitigation: str | None = None,
    contingency: str | None = None,
    owner: str | None = None,
    due: str | None = None,
    status: str | None = None,
) -> tuple[str, list[Change]]:
    """A row added by hand, with any fields written at once: its id (`risk_k3f9q2`,
    see `new_row_id`) and the changes adding it."""
    if not title.strip():
        raise RecordProblem("--add needs the risk's title")
    taken = set(review.risk_register) | {risk.id for risk in questionnaire.risks}
    row_id = new_row_id(taken)
    row = RiskRow(
        title=_text(title.strip(), "--add"),
        severity=_choice(severity, LEVELS, "--severity"),  # type: ignore[arg-type]
        likelihood=_choice(likelihood, LEVELS, "--likelihood"),  # type: ignore[arg-type]
        impact=_choice(impact, LEVELS, "--impact"),  # type: ignore[arg-type]
    )
    changes = _written(
        row_id,
        row.model_dump(mode="json"),
        mitigation=mitigation,
        contingency=contingency,
        owner=owner,
        due=due,
        status=status,
        new=True,
    )
    return row_id, changes


def escalation_change(
    evaluation: Evaluation, *, to: str, decision: str, date: str, note: str = ""
) -> Change:
    """The record of an escalation: it keeps the reasons (rule ids) it answered."""
    if not to.strip():
        raise RecordProblem('--to needs whom it went to, e.g. "Maria Ortiz, VP Delivery"')
    record: dict[str, Any] = {
        "to": _text(to.strip(), "--to"),
        "decision": _choice(decision, ESCALATION_DECISIONS, "--decision"),
        "date": checked_date(date, "--date"),
        "note": _text(note, "--note"),
        "reasons": list(evaluation.escalation_rules),
    }
    return Change(ChangeKind.ESCALATION, "record", record)


def parse_attendee(text: str) -> dict[str, str]:
    """`Name, Organisation, Role`: the name before the first comma, the role after the
    last, the organisation between (it may hold commas); one field is a name alone,
    two are name and organisation."""
    parts = [part.strip() for part in text.split(",")]
    if not parts[0]:
        raise RecordProblem(f'attendee {text!r}: write "Name, Organisation, Role"')
    if len(parts) == 1:
        return {"name": parts[0], "organisation": "", "role": ""}
    if len(parts) == 2:
        return {"name": parts[0], "organisation": parts[1], "role": ""}
    middle = text.split(",", 1)[1].rsplit(",", 1)[0].strip()
    return {"name": parts[0], "organisation": middle, "role": parts[-1]}


def meeting_change(
    review: Review, *, date: str, attendees: list[str], notes: str = "", index: int | None = None
) -> Change:
    """Record a session (a new one, or replace session `index`)."""
    meeting = {
        "date": checked_date(date, "--date"),
        "attendees": [parse_attendee(_text(a, "--attendee")) for a in attendees if a.strip()],
        "notes": _text(notes, "--note"),
    }
    position = len(review.meetings) if index is None else index
    return Change(ChangeKind.MEETING, str(position), meeting)


def section_na_change(questionnaire: Questionnaire, section_id: str, reason: str | None) -> Change:
    """Mark every question of a section not applicable with one reason (None clears)."""
    section = next((s for s in questionnaire.sections if s.id == section_id), None)
    if section is None:
        known = [s.id for s in questionnaire.sections]
        raise RecordProblem(
            f"{section_id}: unknown section id of {questionnaire.id}."
            + did_you_mean(section_id, known)
        )
    value = _text(reason, "--na-section") if reason else None
    return Change(ChangeKind.NA_SECTION, section_id, {q.id: value for q in section.questions})
