"""Dialogs for what a review records besides answers: a register row, a risk added by
hand, the escalation record, a session. Each returns the checked changes (built by
`store.records`, the same checks as the CLI) or None; a value that cannot be read
is refused in the dialog, which stays open with what was typed.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from gatebook.engagement.attendees import last_session
from gatebook.store import Change
from gatebook.store.model import ESCALATION_DECISIONS, RISK_STATUSES, Attendee
from gatebook.store.records import (
    LEVELS,
    RecordProblem,
    escalation_change,
    meeting_change,
    new_risk,
    risk_changes,
)
from gatebook.terminal import terminal_safe
from gatebook.tui.widgets.safe_input import SafeInput

if TYPE_CHECKING:
    from gatebook.tui.session import ReviewSession


def today() -> str:
    return dt.date.today().isoformat()


FIELD_LABELS = {
    "risk-mitigation": "Mitigation",
    "risk-contingency": "Contingency",
    "risk-owner": "Owner",
    "risk-due": "Due date",
    "risk-status": "Status",
    "bulk-status": "Status",
    "bulk-owner": "Owner",
    "bulk-due": "Due date",
    "risk-title": "Risk",
    "risk-severity": "Severity",
    "risk-likelihood": "Likelihood",
    "risk-impact": "Impact",
    "escalation-to": "To",
    "escalation-decision": "Decision",
    "escalation-date": "Date",
    "escalation-note": "Note",
    "meeting-date": "Date",
    "meeting-attendees": "Attendees",
    "meeting-notes": "Notes",
}
"""Each field's label, on its line: a filled field keeps saying what it is (a
placeholder alone went away with the first character typed)."""


FIELD_NAMES = {
    "--add": "Risk",
    "--mitigation": "Mitigation",
    "--contingency": "Contingency",
    "--owner": "Owner",
    "--due": "Due date",
    "--to": "To",
    "--note": "Note",
    "--attendee": "Attendees",
    "--title": "Title",
    "--metric": "Metric",
    "--baseline": "Baseline",
    "--target": "Target",
    "--by": "By",
    "--evidence": "Evidence",
}
"""The store words a refusal as the CLI option it came from; a dialog names its field."""


def field_named(text: str) -> str:
    option, colon, rest = text.partition(":")
    return f"{FIELD_NAMES[option]}{colon}{rest}" if colon and option in FIELD_NAMES else text


class RecordDialog(ModalScreen[list[Change] | None]):
    """A dialog of labelled fields; ctrl+s checks and returns the changes."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="record.cancel"),
        Binding("ctrl+s", "save", "Save", id="record.save", priority=True),
    ]
    TITLE_TEXT = ""
    LABELS: ClassVar[dict[str, str]] = {}
    """A dialog's own field labels, by widget id, beside FIELD_LABELS."""
    COMPACT: ClassVar[bool] = False
    """No gap between fields and a one-line Save: a dialog with many fields (an
    outcome's eight) fits 80x24 without scrolling."""

    def __init__(self, session: ReviewSession) -> None:
        super().__init__()
        self.session = session

    def fields(self) -> ComposeResult:
        yield from ()

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog compact" if self.COMPACT else "dialog"):
            yield Label(Content(terminal_safe(self.TITLE_TEXT)), classes="dialog-title")
            for widget in self.fields():
                label = self.LABELS.get(widget.id or "") or FIELD_LABELS.get(widget.id or "")
                if label is None:
                    yield widget
                    continue
                if isinstance(widget, Input) and widget.placeholder == label:
                    widget.placeholder = ""  # the label says it
                with Horizontal(classes="dialog-field"):
                    yield Label(label)
                    yield widget
            yield Static(Content(""), id="record-error", classes="field-error")
            if self.COMPACT:
                with Horizontal(classes="dialog-actions"):
                    yield Button("Save (ctrl+s)", id="record-save", variant="primary", compact=True)
                    yield Static(Content("escape cancels"), classes="dialog-hint")
            else:
                yield Button("Save (ctrl+s)", id="record-save", variant="primary")
                yield Static(Content("ctrl+s saves · escape cancels"), classes="dialog-hint")

    FIRST_FIELD = ""
    """The field focused on opening (default: the first)."""

    def on_mount(self) -> None:
        if self.FIRST_FIELD:
            self.query_one(f"#{self.FIRST_FIELD}").focus()
        else:
            self.query(Input).first().focus()

    def value(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value

    def choice(self, field_id: str) -> str | None:
        selected = self.query_one(f"#{field_id}", Select).value
        return selected if isinstance(selected, str) else None

    def changes(self) -> list[Change]:
        """The checked changes; each dialog builds its own (RecordProblem when not)."""
        return []

    @on(Button.Pressed, "#record-save")
    def _pressed(self) -> None:
        self.action_save()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        try:
            changes = self.changes()
        except RecordProblem as problem:
            message = self.query_one("#record-error", Static)
            message.update(Content(terminal_safe(field_named(str(problem)))))
            message.scroll_visible()
            return
        self.dismiss(changes)


def _select(options: tuple[str, ...], value: str | None, field_id: str, prompt: str) -> Select[str]:
    if value in options:
        return Select([(option, option) for option in options], value=value, id=field_id)
    return Select([(option, option) for option in options], prompt=prompt, id=field_id)


class RiskRowDialog(RecordDialog):
    """Mitigation, contingency, owner, due date and status of one register row."""

    def __init__(self, session: ReviewSession, row_id: str) -> None:
        super().__init__(session)
        self.row = next(r for r in session.result.register if r.id == row_id)
        self.TITLE_TEXT = f"Risk: {self.row.title} ({self.row.id})"

    def fields(self) -> ComposeResult:
        row = self.row
        if row.why:
            yield Static(Content(terminal_safe(row.why)), classes="dialog-hint")
        hint = f"Mitigation (hint: {row.hint})" if row.hint else "Mitigation"
        yield SafeInput(row.mitigation, placeholder=hint, id="risk-mitigation")
        yield SafeInput(row.contingency, placeholder="Contingency", id="risk-contingency")
        yield SafeInput(row.owner, placeholder="Owner", id="risk-owner")
        yield SafeInput(row.due or "", placeholder="Due date YYYY-MM-DD", id="risk-due")
        status = row.status if row.status in RISK_STATUSES else "open"
        yield _select(RISK_STATUSES, status, "risk-status", "Status")

    def changes(self) -> list[Change]:
        session = self.session
        return risk_changes(
            session.review,
            session.questionnaire,
            session.result,
            self.row.id,
            mitigation=self.value("risk-mitigation"),
            contingency=self.value("risk-contingency"),
            owner=self.value("risk-owner"),
            due=self.value("risk-due"),
            status=self.choice("risk-status") if self.row.status != "resolved" else None,
        )


class BulkRiskDialog(RecordDialog):
    """Status, owner or due date for several register rows at once (a field left empty
    keeps each row's own). One history entry per row that changes; a row already as
    asked is not written. A resolved row keeps its computed status."""

    FIRST_FIELD = "bulk-status"

    def __init__(self, session: ReviewSession, row_ids: list[str]) -> None:
        super().__init__(session)
        rows = {row.id: row for row in session.result.register}
        self.rows = [rows[row_id] for row_id in row_ids if row_id in rows]
        count = len(self.rows)
        self.TITLE_TEXT = f"{count} risk{'' if count == 1 else 's'} selected: set for all"

    def fields(self) -> ComposeResult:
        titles = ", ".join(row.title for row in self.rows[:6])
        more = f" and {len(self.rows) - 6} more" if len(self.rows) > 6 else ""
        yield Static(Content(terminal_safe(titles + more)), classes="dialog-hint")
        yield _select(RISK_STATUSES, None, "bulk-status", "(keep each row's)")
        yield SafeInput(placeholder="(empty: keep each row's)", id="bulk-owner")
        yield SafeInput(placeholder="YYYY-MM-DD (empty: keep each row's)", id="bulk-due")

    def changes(self) -> list[Change]:
        session = self.session
        status = self.choice("bulk-status")
        owner = self.value("bulk-owner").strip() or None
        due = self.value("bulk-due").strip() or None
        if status is None and owner is None and due is None:
            raise RecordProblem("choose a status, or type an owner or a due date")
        changes: list[Change] = []
        for row in self.rows:
            wanted = {
                "status": status if row.status != "resolved" else None,
                "owner": owner,
                "due": due,
            }
            new = {k: v for k, v in wanted.items() if v is not None and getattr(row, k) != v}
            if not new:
                continue
            changes += risk_changes(
                session.review, session.questionnaire, session.result, row.id, **new
            )
        return changes


class AddRiskDialog(RecordDialog):
    TITLE_TEXT = "Add a risk to the register"

    def fields(self) -> ComposeResult:
        yield SafeInput(placeholder="Risk (what could go wrong)", id="risk-title")
        yield _select(LEVELS, None, "risk-severity", "Severity")
        yield _select(LEVELS, None, "risk-likelihood", "Likelihood")
        yield _select(LEVELS, None, "risk-impact", "Impact")

    def changes(self) -> list[Change]:
        _, changes = new_risk(
            self.session.review,
            self.session.questionnaire,
            self.value("risk-title"),
            severity=self.choice("risk-severity"),
            likelihood=self.choice("risk-likelihood"),
            impact=self.choice("risk-impact"),
        )
        return changes


class EscalationDialog(RecordDialog):
    """To whom the escalation went, the decision, when, and a note."""

    TITLE_TEXT = "Escalation to senior leadership"

    def fields(self) -> ComposeResult:
        result, record = self.session.result, self.session.review.escalation
        reasons = "\n".join(f"- {r}" for r in result.escalation_reasons) or "- none right now"
        yield Static(Content(f"Required because:\n{reasons}"), classes="dialog-hint")
        yield SafeInput(
            record.to if record else "", placeholder="To (name, role)", id="escalation-to"
        )
        yield _select(
            ESCALATION_DECISIONS,
            record.decision if record else None,
            "escalation-decision",
            "Decision",
        )
        yield SafeInput(
            record.date if record else today(), placeholder="Date", id="escalation-date"
        )
        yield SafeInput(record.note if record else "", placeholder="Note", id="escalation-note")

    def changes(self) -> list[Change]:
        decision = self.choice("escalation-decision")
        if decision is None:
            raise RecordProblem("pick the decision: " + ", ".join(ESCALATION_DECISIONS))
        return [
            escalation_change(
                self.session.result,
                to=self.value("escalation-to"),
                decision=decision,
                date=self.value("escalation-date"),
                note=self.value("escalation-note"),
            )
        ]


def attendee_text(attendee: Attendee) -> str:
    """An attendee as typed, read back the same (`Name, , Role` keeps a role without an
    organisation a role)."""
    if attendee.role:
        return f"{attendee.name}, {attendee.organisation}, {attendee.role}"
    if attendee.organisation:
        return f"{attendee.name}, {attendee.organisation}"
    return attendee.name


class MeetingDialog(RecordDialog):
    """A session: today's, or the latest one when it is from today (ctrl+o reopens it).
    A new session starts with who was on the last call (engagement/attendees.py): the
    review's own last session, else the nearest earlier member's; saved only by ctrl+s."""

    TITLE_TEXT = "Session: date, who is on the call, notes"
    FIRST_FIELD = "meeting-attendees"
    COMPACT = True

    def __init__(self, session: ReviewSession) -> None:
        super().__init__(session)
        meetings = session.review.meetings
        self.index = len(meetings) - 1 if meetings and meetings[-1].date == today() else None
        self.last = None if self.index is not None else last_session(session.store, session.review)

    def fields(self) -> ComposeResult:
        meetings = self.session.review.meetings
        earlier = [m for i, m in enumerate(meetings) if i != self.index]
        last = self.last if self.last is not None and self.last.meeting.attendees else None
        if earlier:
            listed = ", ".join(m.date for m in earlier[-5:])
            yield Static(Content(f"Earlier sessions: {listed}"), classes="dialog-hint")
        if last is not None:
            names = [a.name for a in last.meeting.attendees]
            more = f" and {len(names) - 4} more" if len(names) > 4 else ""
            hint = (
                f"On the call as in {last.source()}: {', '.join(names[:4])}{more}. "
                "Type to add someone, ctrl+u clears; nothing is saved before ctrl+s."
            )
            yield Static(Content(terminal_safe(hint)), classes="dialog-hint")
        current = meetings[self.index] if self.index is not None else None
        shown = current.attendees if current else last.meeting.attendees if last else []
        people = "; ".join(attendee_text(a) for a in shown)
        yield SafeInput(current.date if current else today(), placeholder="Date", id="meeting-date")
        carried = current is None and last is not None
        yield SafeInput(
            f"{people}; " if carried else people,  # typing adds someone, never replaces all
            placeholder="Attendees: Name, Organisation, Role; ...",
            id="meeting-attendees",
            select_on_focus=not carried,
        )
        yield SafeInput(current.notes if current else "", placeholder="Notes", id="meeting-notes")
        yield Static(
            Content("Separate attendees with ';'. Name, Organisation, Role each."),
            classes="dialog-hint",
        )

    def changes(self) -> list[Change]:
        return [
            meeting_change(
                self.session.review,
                date=self.value("meeting-date"),
                attendees=self.value("meeting-attendees").split(";"),
                notes=self.value("meeting-notes"),
                index=self.index,
            )
        ]
