"""The summary's outcomes register: the risk register's widget, showing outcomes.

`OutcomeRows` is a `RegisterRows`: the same row headings (the cursor, reverse video
under NO_COLOR), the same `up`/`down`, `space` and `a` selection and the same safe
rebuild when rows come or go; only what a row shows differs. Each outcome is one
heading (no inline fields): the summary's F6 edits the focused outcome, or with rows
selected sets status or date for all of them, and F5 adds one.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from gatebook.plan.outcomes import CBO_LABELS
from gatebook.store.model import OutcomeRow
from gatebook.store.origins import origin_review
from gatebook.terminal import terminal_safe
from gatebook.tui.widgets.register_rows import RegisterRows, RowHeading

STATUS_WORDS = {
    "planned": "PLANNED",
    "on_track": "ON TRACK",
    "at_risk": "AT RISK",
    "off_track": "OFF TRACK",
    "achieved": "ACHIEVED",
    "partly_achieved": "PARTLY",
    "not_achieved": "NOT ACHIEVED",
}


def outcome_text(row: OutcomeRow, *, selected: bool = False) -> str:
    """An outcome's heading: the selection box, status word, title, then how it is
    measured and where it came from, readable without colour."""
    box = "[x]" if selected else "[ ]"
    status = STATUS_WORDS.get(row.status, row.status.upper())
    cbo = CBO_LABELS.get(row.cbo or "")
    measure = [cbo] if cbo else []
    if row.metric:
        measure.append(f"metric {row.metric}")
    if row.baseline or row.target:
        measure.append(f"{row.baseline or '?'} -> {row.target or '?'}")
    if row.by:
        measure.append(f"by {row.by}")
    source = origin_review(row.origin)
    if source:
        measure.append(f"from {source}")
    if not row.metric or not row.target:
        measure.append("needs a metric and a target")
    evidence = f"\n    evidence: {row.evidence}" if row.evidence else ""
    return terminal_safe(f"{box} {status} {row.title}\n    [{'; '.join(measure)}]{evidence}")


class OutcomeRows(RegisterRows):
    """The outcomes, by date then title (the plan's order), one heading each."""

    KEY_DESCRIPTIONS: ClassVar[dict[str, str]] = {
        "summary.outcomes": "Risks",
        "summary.add_risk": "Add outcome",
        "summary.edit_risk": "Edit outcome",
    }
    """What the summary's F3, F5 and F6 do here (back to the risks, add and edit an
    outcome): the key bar says so, in the room it has at 80 columns (tui/widgets/footer.py)."""

    def outcomes(self) -> list[tuple[str, OutcomeRow]]:
        return sorted(
            self.session.review.outcomes.items(),
            key=lambda item: (item[1].by is None, item[1].by or "", item[1].title.lower(), item[0]),
        )

    def compose(self) -> ComposeResult:
        rows = self.outcomes()
        self.shown = tuple(row_id for row_id, _ in rows)
        self.selected &= set(self.shown)
        for row_id, row in rows:
            yield RowHeading(row_id, outcome_text(row, selected=row_id in self.selected))

    def follow(self) -> None:
        if self.rebuilding:
            return
        rows = self.outcomes()
        if tuple(row_id for row_id, _ in rows) != self.shown:
            self.rebuild_later()
            return
        self._show_selection()

    def _show_selection(self) -> None:
        for row_id, row in self.outcomes():
            for heading in self.query(f"#row-{row_id}").results(Static):
                heading.update(Content(outcome_text(row, selected=row_id in self.selected)))
