"""Dialogs for the outcomes register: add an outcome, edit one, set status or date for
several at once. Like the risk register's dialogs (screens/records.py, whose
`RecordDialog` they are), each returns the checked changes built by
`store.outcomes`, or None; a value that cannot be read is refused in the dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Select, Static

from gatebook.plan.outcomes import CBO_LABELS
from gatebook.store import Change
from gatebook.store.model import OUTCOME_CBOS, OUTCOME_STATUSES, OutcomeRow
from gatebook.store.outcomes import new_outcome, outcome_changes
from gatebook.store.records import RecordProblem
from gatebook.terminal import terminal_safe
from gatebook.tui.screens.records import RecordDialog
from gatebook.tui.widgets.safe_input import SafeInput

if TYPE_CHECKING:
    from gatebook.tui.session import ReviewSession

NO_CBO = "(none)"
LABELS = {
    "outcome-title": "Title",
    "outcome-cbo": "CBO",
    "outcome-metric": "Metric",
    "outcome-baseline": "Baseline",
    "outcome-target": "Target",
    "outcome-by": "By",
    "outcome-status": "Status",
    "outcome-evidence": "Evidence",
    "bulk-outcome-status": "Status",
    "bulk-outcome-by": "By",
}


def cbo_choice(cbo: str) -> str:
    """A CBO as the S2D words it, with the value `--cbo` takes (`Operational efficiency
    (efficiency)`): read on the call, typed the same on the command line."""
    label = CBO_LABELS.get(cbo)
    return f"{label} ({cbo})" if label else cbo


def _select(
    options: tuple[str, ...],
    value: str | None,
    field_id: str,
    prompt: str,
    shown: Callable[[str], str] = str,
) -> Select[str]:
    choices = [(shown(option), option) for option in options]
    if value in options:  # a value always: no blank `Select` entry beside `(none)`
        return Select(choices, value=value, id=field_id, allow_blank=False)
    return Select(choices, prompt=prompt, id=field_id)


class OutcomeDialog(RecordDialog):
    """Every field of one outcome; without a row, a new outcome (F5)."""

    LABELS: ClassVar[dict[str, str]] = LABELS
    FIRST_FIELD = "outcome-title"
    COMPACT = True

    def __init__(self, session: ReviewSession, outcome_id: str | None = None) -> None:
        super().__init__(session)
        self.outcome_id = outcome_id
        self.row = session.review.outcomes.get(outcome_id or "") or OutcomeRow(title="-")
        self.TITLE_TEXT = (
            f"Outcome: {self.row.title} ({outcome_id})"
            if outcome_id
            else "Add a customer business outcome"
        )
        if outcome_id:  # at an inspection the status is what changes: it has the focus
            self.FIRST_FIELD = "outcome-status"

    def fields(self) -> ComposeResult:
        row, new = self.row, self.outcome_id is None
        title = "" if new else row.title
        yield SafeInput(title, placeholder="What the customer wants", id="outcome-title")
        cbos = (NO_CBO, *OUTCOME_CBOS)
        yield _select(cbos, row.cbo or NO_CBO, "outcome-cbo", "CBO", cbo_choice)
        yield SafeInput(row.metric, placeholder="How it is measured", id="outcome-metric")
        yield SafeInput(row.baseline, placeholder="Where it stands today", id="outcome-baseline")
        yield SafeInput(row.target, placeholder="The value that counts", id="outcome-target")
        yield SafeInput(row.by or "", placeholder="YYYY-MM-DD", id="outcome-by")
        yield _select(OUTCOME_STATUSES, row.status, "outcome-status", "Status")
        yield SafeInput(row.evidence, placeholder="What shows it", id="outcome-evidence")

    def changes(self) -> list[Change]:
        cbo = self.choice("outcome-cbo")
        fields = {
            "cbo": "" if cbo in (None, NO_CBO) else cbo,
            "metric": self.value("outcome-metric"),
            "baseline": self.value("outcome-baseline"),
            "target": self.value("outcome-target"),
            "by": self.value("outcome-by"),
            "status": self.choice("outcome-status"),
            "evidence": self.value("outcome-evidence"),
        }
        review = self.session.review
        if self.outcome_id is None:
            _, added = new_outcome(review, self.value("outcome-title"), **fields)
            return added
        title = self.value("outcome-title")
        return outcome_changes(review, self.outcome_id, title=title, **fields)


class BulkOutcomeDialog(RecordDialog):
    """Status or date for several outcomes at once (empty keeps each one's); an outcome
    already as asked is not written."""

    LABELS: ClassVar[dict[str, str]] = LABELS
    FIRST_FIELD = "bulk-outcome-status"
    COMPACT = True

    def __init__(self, session: ReviewSession, outcome_ids: list[str]) -> None:
        super().__init__(session)
        outcomes = session.review.outcomes
        self.ids = [outcome_id for outcome_id in outcome_ids if outcome_id in outcomes]
        count = len(self.ids)
        self.TITLE_TEXT = f"{count} outcome{'' if count == 1 else 's'} selected: set for all"

    def fields(self) -> ComposeResult:
        outcomes = self.session.review.outcomes
        titles = ", ".join(outcomes[i].title for i in self.ids[:6])
        more = f" and {len(self.ids) - 6} more" if len(self.ids) > 6 else ""
        yield Static(Content(terminal_safe(titles + more)), classes="dialog-hint")
        yield _select(OUTCOME_STATUSES, None, "bulk-outcome-status", "(keep each one's)")
        yield SafeInput(placeholder="YYYY-MM-DD (empty: keep each one's)", id="bulk-outcome-by")

    def changes(self) -> list[Change]:
        status = self.choice("bulk-outcome-status")
        by = self.value("bulk-outcome-by").strip() or None
        if status is None and by is None:
            raise RecordProblem("choose a status, or type a date")
        review = self.session.review
        changes = []
        for outcome_id in self.ids:
            changes.extend(outcome_changes(review, outcome_id, status=status, by=by))
        return changes
