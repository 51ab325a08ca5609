"""A table question's rows, fitted to the screen: every column shows.

A DataTable sizes each column to its content and scrolls sideways when the row is
wider than the screen; at 80 columns that hid the last columns of the S2D's
stakeholder map, and columns sized before their rows came were cut to their
heading (`Partne Partn 202`). Here the widths are chosen when the rows or the width
change: a column of short values (a date, a choice, a number) is never narrower
than its longest value, a text column gives up width and wraps, and a heading
longer than its column wraps onto a second heading line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.cells import cell_len
from rich.text import Text

from gatebook.engine.formatting import format_value
from gatebook.questionnaire.models import Question
from gatebook.terminal import terminal_safe
from gatebook.tui.widgets.answer_input import LeavingTable

WRAPPING_TYPES = frozenset({"text", "longtext"})
"""Column types whose cells wrap; every other type keeps its longest value whole."""
MIN_TEXT_WIDTH = 8
CELL_PADDING = 1


def column_widths(kinds: Sequence[str], cells: Sequence[Sequence[str]], room: int) -> list[int]:
    """Widths (without padding) for columns of these types and header+rows `cells`
    (cells[0] the headings), so a row fits `room` cells when it can: headings give
    way first (down to their longest word), then text columns, widest first (down to
    MIN_TEXT_WIDTH or their longest word); a short value is never cut."""
    count = len(kinds)
    headings, rows = cells[0], cells[1:]
    values = [max((cell_len(row[i]) for row in rows), default=0) for i in range(count)]
    words = [max((cell_len(w) for w in headings[i].split()), default=0) for i in range(count)]
    widths = [max(values[i], cell_len(headings[i]), 1) for i in range(count)]
    budget = room - 2 * CELL_PADDING * count

    def excess() -> int:
        return sum(widths) - budget

    floors = [max(values[i], words[i], 1) for i in range(count)]
    for i in sorted(range(count), key=lambda i: -(widths[i] - floors[i])):
        if excess() <= 0:
            return widths
        widths[i] -= min(excess(), widths[i] - floors[i])
    text_floor = [
        max(min(values[i], MIN_TEXT_WIDTH), min(words[i], MIN_TEXT_WIDTH), 1)
        if kinds[i] in WRAPPING_TYPES
        else widths[i]
        for i in range(count)
    ]
    while excess() > 0:
        shrinkable = [i for i in range(count) if widths[i] > text_floor[i]]
        if not shrinkable:
            break  # nothing gives: the table scrolls sideways (left/right)
        widest = max(shrinkable, key=lambda i: widths[i])
        widths[widest] -= 1
    return widths


class AnswerTable(LeavingTable):
    """The rows of a table question, one line each unless a text cell wraps (its keys:
    LeavingTable)."""

    def __init__(self, question: Question, *, id: str) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.question = question
        self.answer_rows: list[dict[str, Any]] = []
        self._fitted: tuple[int, list[int]] | None = None

    def show_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        """Show these rows (the cursor stays on its row number when it still exists)."""
        self.answer_rows = list(rows)
        self._fitted = None
        self._fill()

    def _cells(self) -> list[list[str]]:
        columns = self.question.columns
        shown = [[terminal_safe(column.prompt) for column in columns]]
        for row in self.answer_rows:
            shown.append(
                [
                    terminal_safe(format_value(c, row.get(c.id)))
                    if row.get(c.id) is not None
                    else ""
                    for c in columns
                ]
            )
        return shown

    def _room(self) -> int:
        return self.scrollable_content_region.width or self.size.width

    def _fill(self) -> None:
        room = self._room()
        cells = self._cells()
        kinds = [column.type for column in self.question.columns]
        widths = column_widths(kinds, cells, room if room > 0 else 1_000)
        if self._fitted == (room, widths):
            return
        self._fitted = (room, widths)
        cursor = self.cursor_row
        self.clear(columns=True)
        heading_lines = max(
            (len(Text(h).wrap(self.app.console, w)) for h, w in zip(cells[0], widths, strict=True)),
            default=1,
        )
        self.header_height = max(1, heading_lines)
        for heading, column, width in zip(cells[0], self.question.columns, widths, strict=True):
            self.add_column(Text(heading), key=column.id, width=width)
        for row in cells[1:]:
            self.add_row(*(Text(cell) for cell in row), height=None)
        if self.row_count:
            self.move_cursor(row=min(cursor, self.row_count - 1), animate=False)

    def on_resize(self) -> None:
        """A new width fits the columns again (only when the widths change)."""
        if self._fitted is None or self._fitted[0] != self._room():
            self._fill()
