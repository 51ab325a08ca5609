"""The home screen's list of reviews: preformatted rows drawn line by line.

Why not a DataTable: it renders every visible cell through Rich on each paint, which
cost about 40 ms per draw of 100 reviews and was most of the time before the first
screen. Here every row is formatted once into one string when the list changes;
drawing a line is slicing that string. Keys: up/down, page up/down, home/end, enter
(or a click) opens the row under the cursor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from gatebook.terminal import terminal_safe

CURSOR_MARK = "▶"
"""Drawn in the cursor row's first cell (every row starts with a space for it), so the
cursor shows without colour as well as by its background (or reverse video)."""
GAPS = ("  ", " ")
"""Two spaces between columns; one when the rows would not fit otherwise."""


@dataclass(frozen=True)
class Column:
    """A heading and the widest a cell of it is drawn (longer text is cut with `…`).

    A column with a `min_width` gives up width, down to that, when the rows do not
    fit the screen: columns with a lower `shrink_order` first."""

    title: str
    max_width: int = 40
    min_width: int | None = None
    shrink_order: int = 0
    ellipsis: bool = True
    """False: a cut cell just ends (a date and time cut to the date)."""


def cut(text: str, width: int, ellipsis: bool = True) -> str:
    """`text` in exactly `width` cells: padded, or cut (with an ellipsis)."""
    if cell_len(text) <= width or not ellipsis:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…" if width > 0 else ""


def fit(columns: list[Column], widths: list[int], room: int) -> tuple[list[int], str]:
    """The gap, then the widest shrinkable column narrowed a cell at a time, until a
    row fits in `room` cells (or nothing can give any more)."""
    widths = list(widths)
    for gap in GAPS:
        total = 1 + sum(widths) + len(gap) * (len(widths) - 1)
        if total <= room:
            return widths, gap
    order = sorted(
        (i for i, c in enumerate(columns) if c.min_width is not None),
        key=lambda i: columns[i].shrink_order,
    )
    for index in order:
        spare = widths[index] - (columns[index].min_width or 0)
        give = min(total - room, spare)
        if give > 0 and not columns[index].ellipsis:
            give = spare  # a date and time gives up the whole time, never a part of it
        if give > 0:
            widths[index] -= give
            total -= give
    return widths, gap


def layout(columns: list[Column], rows: list[list[str]], room: int) -> tuple[str, list[str]]:
    """The heading line and one line per row, each column as wide as its widest cell
    (a shrinkable column's heading is cut rather than widen it), fitted to `room`."""
    content = [0] * len(columns)
    for cells in rows:
        for index, cell in enumerate(cells):
            content[index] = max(content[index], min(cell_len(cell), columns[index].max_width))

    def widths(title: Callable[[Column], int]) -> list[int]:
        return [max(title(c), width) for c, width in zip(columns, content, strict=True)]

    full = widths(lambda c: cell_len(c.title))
    if 1 + sum(full) + len(GAPS[-1]) * (len(full) - 1) > room:
        full = widths(lambda c: min(cell_len(c.title), c.min_width or 1_000))
    fitted, gap = fit(columns, full, room)

    def line(cells: list[str]) -> str:
        return " " + gap.join(
            cut(cell, width, column.ellipsis)
            for cell, width, column in zip(cells, fitted, columns, strict=True)
        )

    return line([c.title for c in columns]), [line(cells) for cells in rows]


class ReviewList(ScrollView, can_focus=True):
    """A heading line that stays put and a cursor over one row per review."""

    DEFAULT_CSS = """
    ReviewList { height: 1fr; background: $surface; scrollbar-size-vertical: 0; }
    ReviewList > .review-list--header { text-style: bold; background: $panel; }
    ReviewList > .review-list--odd { background: $surface-lighten-1; }
    ReviewList > .review-list--cursor { background: $primary 40%; }
    ReviewList:focus > .review-list--cursor { background: $primary; color: $text; }
    """
    COMPONENT_CLASSES = {
        "review-list--header",
        "review-list--odd",
        "review-list--cursor",
    }
    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "to(0)", "First", show=False),
        Binding("end", "to(-1)", "Last", show=False),
        Binding("enter", "select", "Open", show=False),
    ]

    class Selected(Message):
        """Enter or a click on a row: open the review `key`."""

        def __init__(self, review_list: ReviewList, key: str) -> None:
            super().__init__()
            self.review_list = review_list
            self.key = key

        @property
        def control(self) -> ReviewList:
            return self.review_list

    def __init__(self, columns: list[Column], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns = columns
        self.keys: list[str] = []
        self.lines: list[str] = []
        self.header = ""
        self.cells: list[list[str]] = []
        self.cursor = 0
        self._room = 0

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """The heading and every row: with `height: auto` (the engagement's members)
        the list is as tall as its rows."""
        return len(self.cells) + 1

    @property
    def cursor_key(self) -> str | None:
        return self.keys[self.cursor] if self.keys else None

    def set_rows(self, rows: list[tuple[str, list[str]]]) -> None:
        """Show these rows (key, cells); the cursor stays on its review when it is still there."""
        current = self.cursor_key
        self.keys = [key for key, _ in rows]
        self.cells = [[terminal_safe(cell) for cell in cells] for _, cells in rows]
        self.cursor = self.keys.index(current) if current in self.keys else 0
        self._format()

    def _format(self) -> None:
        """Fit the rows to the width; before the first layout (no width yet) only the
        height is set: the first `render_line` fits them, so the first frame is right
        and no second one follows."""
        room = self.scrollable_content_region.width
        if room <= 0:
            self._room, self.header, self.lines = room, "", []
            self.virtual_size = Size(0, len(self.cells) + 1)
            self.refresh()
            return
        self._fit_now(room)
        width = max((cell_len(line) for line in [self.header, *self.lines]), default=0)
        self.virtual_size = Size(width, len(self.lines) + 1)
        self._reveal_cursor()
        self.refresh()

    def _fit_now(self, room: int) -> None:
        """Fit at draw time, without asking for a layout (the height is unchanged; a
        row wider than the screen is cut at the edge until the next resize)."""
        self._room = room
        self.header, self.lines = layout(self.columns, self.cells, room)

    def on_resize(self) -> None:
        """Columns are fitted again only when the width changed (a terminal sends a
        few resize events at start-up, each would have redrawn the whole list)."""
        if self.scrollable_content_region.width != self._room:
            self._format()
        else:
            self._reveal_cursor()

    # ---- drawing ---------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        room = self.scrollable_content_region.width
        if room > 0 and room != self._room:
            self._fit_now(room)
        scroll_x, scroll_y = self.scroll_offset
        if y == 0:
            text, component = self.header, "review-list--header"
        else:
            row = scroll_y + y - 1
            if row >= len(self.lines):
                return Strip.blank(width, self.rich_style)
            text = self.lines[row]
            component = (
                "review-list--cursor"
                if row == self.cursor
                else ("review-list--odd" if row % 2 else "")
            )
            if row == self.cursor:
                text = CURSOR_MARK + text[1:]  # the row's leading space: shown without colour
        style = self.rich_style
        if component:
            style = style + self.get_component_rich_style(component)
        strip = Strip([Segment(text, style)], cell_len(text))
        return strip.crop_extend(scroll_x, scroll_x + width, style)

    def _refresh_row(self, row: int) -> None:
        """Repaint one row where it is drawn now (under the heading, scrolled)."""
        y = row - round(self.scroll_y) + 1
        if 1 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    # ---- moving ----------------------------------------------------------------------

    def _visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _reveal_cursor(self) -> None:
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + self._visible_rows():
            self.scroll_to(y=self.cursor - self._visible_rows() + 1, animate=False)

    def move_to(self, row: int) -> None:
        if not self.keys:
            return
        row = max(0, min(len(self.keys) - 1, row))
        if row != self.cursor:
            previous, self.cursor = self.cursor, row
            self._refresh_row(previous)
            self._refresh_row(row)
        self._reveal_cursor()

    def action_cursor(self, step: int) -> None:
        self.move_to(self.cursor + step)

    def action_page(self, direction: int) -> None:
        self.move_to(self.cursor + direction * self._visible_rows())

    def action_to(self, row: int) -> None:
        self.move_to(len(self.keys) - 1 if row < 0 else row)

    def action_select(self) -> None:
        if self.cursor_key is not None:
            self.post_message(self.Selected(self, self.cursor_key))

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        """The wheel moves the cursor (the list has no scrollbar: Textual mounts one
        after the first frame, which cost start-up a trailing frame of ~40 ms)."""
        event.stop()
        self.move_to(self.cursor + 3)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self.move_to(self.cursor - 3)

    def on_click(self, event: events.Click) -> None:
        """A click puts the cursor on a row; a click on the cursor's row opens it."""
        if event.y < 1:
            return
        row = round(self.scroll_y) + event.y - 1
        if 0 <= row < len(self.keys):
            if row == self.cursor:
                self.action_select()
            else:
                self.move_to(row)
