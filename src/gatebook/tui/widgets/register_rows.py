"""The summary's risk register: one block per row, readable without colour.

Each row is a heading that takes the focus (the register's cursor: reverse video
under NO_COLOR and a bar at its left when focused), then a labelled mitigation and contingency.
`space` on a heading selects the row (`[x]`), `a` selects every row or none, and
the summary's `F6` then sets status, owner or due date for the whole selection in
one dialog: seventeen carried risks marked mitigated in a few keys, not 190.
`up`/`down` move from row to row. A carried row says `from REVIEW_ID`: the review
that first raised it (store/origins.py), not only the stage it was copied from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Label, Static

from gatebook.engine.register import OVERDUE_STATUSES, RegisterRow
from gatebook.store.origins import first_origins, origin_review
from gatebook.terminal import terminal_safe
from gatebook.tui.widgets.live_panel import SEVERITY_WORD
from gatebook.tui.widgets.safe_input import SafeInput

if TYPE_CHECKING:
    from gatebook.tui.session import ReviewSession


def row_text(row: RegisterRow, *, selected: bool = False, first: str | None = None) -> str:
    """A register row's heading: the selection box, severity, title, why, where it
    came from, where it stands."""
    severity = SEVERITY_WORD.get(row.severity or "", (row.severity or "-").upper())
    where = [row.status]
    if row.owner:
        where.append(f"owner {row.owner}")
    if row.due:
        where.append(f"due {row.due}")
    if row.likelihood or row.impact:
        where.append(f"likelihood {row.likelihood or '-'}, impact {row.impact or '-'}")
    source = origin_review(first or row.origin)
    if source:
        where.append(f"from {source}")
    written = written_note(row)
    why = f": {row.why}" if row.why else ""
    box = "[x]" if selected else "[ ]"
    text = f"{box} {severity} {row.title}{why}\n    [{'; '.join(where)}{written}]"
    return terminal_safe(text)


def written_note(row: RegisterRow) -> str:
    """What the row still asks to be written. An open or mitigating row needs its
    mitigation and contingency; one marked mitigated or accepted (or resolved) says
    only its status, which leads the line, except that sign-off still reads a high
    row's mitigation and contingency (docs/contracts.md "Sign-off rules")."""
    if row.addressed:
        return " · addressed"
    if row.status in OVERDUE_STATUSES:
        return " · needs mitigation + contingency"
    if row.open_high:
        return " · to sign: write mitigation + contingency"
    return ""


class RowHeading(Static, can_focus=True):
    """A row's heading: where the register's cursor stands."""

    DEFAULT_CSS = """
    RowHeading { margin-top: 1; padding-left: 1; }
    RowHeading:focus {
        background: $primary 30%; text-style: bold; padding-left: 0; border-left: outer $accent;
    }
    """

    def __init__(self, row_id: str, text: str) -> None:
        super().__init__(Content(text), id=f"row-{row_id}", classes="flag-line")
        self.row_id = row_id


class FieldInput(SafeInput):
    """A register field: the cursor goes to the end on arrival (typing adds to what
    is there), and a field left shows the start of its text, not its tail; a stored
    control character is drawn safe (SafeInput)."""

    def _on_focus(self, event: events.Focus) -> None:
        super()._on_focus(event)
        self.cursor_position = len(self.value)

    def _on_blur(self, event: events.Blur) -> None:
        super()._on_blur(event)
        self.cursor_position = 0


class RegisterRows(Vertical):
    """The register's rows, each a heading and its labelled mitigation and contingency.

    Rebuilt only when the set of rows changes (a risk added, a flag raised or
    cleared); otherwise each heading and input follows the row in place."""

    DEFAULT_CSS = """
    RegisterRows { height: auto; }
    RegisterRows .register-field { height: 1; margin: 0 0 0 4; }
    RegisterRows .register-field Label { width: 13; }
    RegisterRows .register-field Input { width: 1fr; }
    """
    BINDINGS = [
        Binding(
            "up",
            "step(-1)",
            "Previous risk (from a field: its heading)",
            id="register.up",
            show=False,
        ),
        Binding("down", "step(1)", "Next risk", id="register.down", show=False),
        Binding(
            "space",
            "select_row",
            "Select the risk (on its heading)",
            id="register.select",
            show=False,
        ),
        Binding(
            "a", "select_all", "Select every risk, or none", id="register.select_all", show=False
        ),
    ]

    def __init__(self, session: ReviewSession, *, id: str) -> None:
        super().__init__(id=id)
        self.session = session
        self.shown: tuple[str, ...] = ()
        self.selected: set[str] = set()
        self.firsts: dict[str, str] = {}
        self.rebuilding = False
        """True from a rebuild's start until its new rows are mounted: the old inputs
        are being removed, so nothing may be looked up or focused meanwhile."""

    class Rebuilt(Message):
        """The rows were rebuilt: their inputs exist and may take the focus."""

    def compose(self) -> ComposeResult:
        rows = self.session.result.register
        self.shown = tuple(row.id for row in rows)
        self.selected &= set(self.shown)
        self.firsts = first_origins(self.session.store, self.session.review.risk_register)
        for row in rows:
            yield RowHeading(row.id, self.heading(row))
            hint = f"hint: {row.hint}" if row.hint else ""
            with Horizontal(classes="register-field"):
                yield Label("Mitigation")
                yield FieldInput(row.mitigation, placeholder=hint, id=f"mitigation-{row.id}")
            with Horizontal(classes="register-field"):
                yield Label("Contingency")
                yield FieldInput(row.contingency, id=f"contingency-{row.id}")

    def heading(self, row: RegisterRow) -> str:
        return row_text(row, selected=row.id in self.selected, first=self.firsts.get(row.id))

    def follow(self) -> None:
        if self.rebuilding:
            return  # the rebuild follows the session once its rows are mounted
        rows = self.session.result.register
        if tuple(row.id for row in rows) != self.shown:
            self.rebuild_later()  # rows came or went: only the register is rebuilt
            return
        for row in rows:
            for heading in self.query(f"#row-{row.id}").results(Static):
                heading.update(Content(self.heading(row)))
            for field_id, value in (
                (f"mitigation-{row.id}", row.mitigation),
                (f"contingency-{row.id}", row.contingency),
            ):
                for field in self.query(f"#{field_id}").results(Input):
                    if field.value != value and not field.has_focus:
                        field.value = value

    def rebuild_later(self) -> None:
        """Rebuild the rows once the current message is handled (nothing is looked up
        or focused in the register until `Rebuilt`)."""
        self.rebuilding = True
        self.call_later(self._rebuild)

    async def _rebuild(self) -> None:
        """Remove the old rows and mount the new ones, then catch up with any change
        made meanwhile and say so: the screen focuses a row only after this (a row
        looked up while the old ones were removed crashed the app on a call)."""
        try:
            await self.recompose()
        finally:
            self.rebuilding = False
        self.follow()
        if not self.rebuilding:
            self.post_message(self.Rebuilt())

    def focused_row(self) -> str | None:
        """The row the focus is in: its heading, or one of its fields (of this register:
        the summary has two)."""
        focused = self.screen.focused
        if focused is None or self not in focused.ancestors:
            return None
        if isinstance(focused, RowHeading):
            return focused.row_id
        if isinstance(focused, Input) and focused.id:
            for prefix in ("mitigation-", "contingency-"):
                if focused.id.startswith(prefix):
                    return focused.id.removeprefix(prefix)
        return None

    def action_step(self, step: int) -> None:
        """To the heading of the next (or previous) row; from a field, `up` goes to its
        own row's heading."""
        if not self.shown:
            return
        current = self.focused_row()
        if current is None or current not in self.shown:
            index = 0
        else:
            index = self.shown.index(current)
            on_heading = isinstance(self.screen.focused, RowHeading)
            if step > 0 or on_heading:
                index += step
        index = max(0, min(len(self.shown) - 1, index))
        heading = self.query_one(f"#row-{self.shown[index]}", RowHeading)
        self.screen.set_focus(heading)  # at once: a key right behind this one lands on it
        heading.scroll_visible()

    def action_select_row(self) -> None:
        row_id = self.focused_row()
        if row_id is None:
            return
        self.selected ^= {row_id}
        self._show_selection()

    def action_select_all(self) -> None:
        self.selected = set() if self.selected == set(self.shown) else set(self.shown)
        self._show_selection()

    def clear_selection(self) -> None:
        self.selected.clear()
        self._show_selection()

    def _show_selection(self) -> None:
        for row in self.session.result.register:
            self.query_one(f"#row-{row.id}", Static).update(Content(self.heading(row)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`space` and `a` select only on a heading (in a field they are typed)."""
        if action in ("select_row", "select_all"):
            return isinstance(self.screen.focused, RowHeading)
        return True
