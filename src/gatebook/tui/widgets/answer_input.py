"""The editors of typed answers, and how every editor leaves its question.

`AnswerInput` hands each new value to its field at once, on the keystroke.

Textual's Input posts `Changed` after painting the echo, so whatever the answer
changes (the read-back line, the live panel) would land a frame later. Calling the
field from the value watcher puts the answer, the evaluation and every widget it
touches in the frame that echoes the key (docs/architecture.md "the path of one
answer").

`enter` and `tab` move on in every editor and never change an answer; `up`/`down`
move between questions, except in an editor with lines of its own (a long text, a
table, a multichoice), where they move inside it and leave it past its first or last
line (docs/contracts.md "Keys on a question").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import DataTable, SelectionList, TextArea

from gatebook.tui.widgets.safe_input import SafeInput, SafeTextArea

NEW_LINE_KEYS = ("ctrl+j", "shift+enter")
"""A new line in a long text: `enter` moves on there too; `ctrl+j` is the line feed
every terminal sends, `shift+enter` works where the terminal tells it apart."""


def leave(editor: Widget, step: int) -> None:
    """On to the next (+1) or back to the previous (-1) question: the screen decides
    which that is (the next section's first at a section's end, guided mode). Called
    from the key's own handling, so the focus has moved before the next key typed is
    handed on (tui/key_order.py); a screen without questions (a dialog) keeps it."""
    name = "action_next_question" if step > 0 else "action_previous_question"
    move = getattr(editor.screen, name, None)
    if callable(move):
        move()


class AnswerInput(SafeInput):
    def __init__(self, *args: Any, on_value: Callable[[str], None], **kwargs: Any) -> None:
        self._on_value: Callable[[str], None] | None = None
        super().__init__(*args, **kwargs)
        self._on_value = on_value

    @property
    def content_width(self) -> int:
        """At least the current scroll region's width. Input sizes its scroll region
        from this on every value change, and `virtual_size` is a layout reactive: with
        the text's own width (Input's), every keystroke re-laid-out the whole screen. A
        one-line input of fixed width keeps the virtual size the layout gave it until
        the text outgrows it."""
        return max(super().content_width, self.virtual_size.width)

    def _size_scroll_region(self) -> bool:
        """Set the one-line virtual size without the layout reactive's screen-wide
        refresh; True when it changed."""
        wanted = Size(max(self.content_width, self.scrollable_content_region.width), 1)
        if wanted.width <= 0 or self.virtual_size == wanted:
            return False
        self.set_reactive(Widget.virtual_size, wanted)
        return True

    def on_resize(self, event: events.Resize) -> None:
        """Input sizes its scroll region only when the value changes; a value set before
        the first layout would otherwise keep a zero width (drawn without its padding).
        Sized to the width shown, typing moves nothing until the text outgrows it."""
        if self._size_scroll_region():
            self.refresh()

    def watch_value(self, value: str) -> None:
        """Runs in the same call as Input's own value watcher, after it: the field gets
        the value in the frame that echoes the key. The input was pre-sized in
        `on_resize` and `content_width` holds still while typing, so Input's
        `virtual_size` assignment changes nothing and no layout follows
        (tests/test_speed.py)."""
        if self._on_value is not None and self.is_mounted:
            self._on_value(value)


def at_edge(editor: Widget, step: int) -> bool:
    """Whether `up` (-1) or `down` (+1) leaves this editor: always, but in one with
    lines of its own only past its first or last option, row or line."""
    if isinstance(editor, SelectionList):
        if editor.highlighted is None:
            return step < 0
        return editor.highlighted == (0 if step < 0 else editor.option_count - 1)
    if isinstance(editor, DataTable):
        return editor.row_count == 0 or editor.cursor_row == (
            0 if step < 0 else editor.row_count - 1
        )
    if isinstance(editor, TextArea):
        where = editor.cursor_location
        navigator = editor.navigator
        return (
            navigator.is_first_wrapped_line(where)
            if step < 0
            else navigator.is_last_wrapped_line(where)
        )
    return True


def moves_on(focused: Widget | None, step: tuple[object, ...]) -> bool:
    """Whether the review screen's `step(DELTA, KIND)` takes the key: from a question's
    editor (`editor-ID`, not an open list's options, the risk panel or the section
    list), a `key` (tab, enter) always, an `arrow` at the editor's edge only."""
    if focused is None or not (focused.id or "").startswith("editor-"):
        return False
    delta, kind = step
    return kind == "key" or at_edge(focused, 1 if delta == 1 else -1)


class AnswerTextArea(SafeTextArea):
    """A long text: `enter` moves on, `ctrl+j` starts a new line; `up` on the first
    line and `down` on the last leave the question."""

    BINDINGS = [
        Binding("ctrl+j,shift+enter", "new_line", "New line", show=False, id="longtext.line"),
    ]

    async def _on_key(self, event: events.Key) -> None:
        """TextArea types `enter` as a new line before any binding is looked at."""
        if event.key == "enter":
            event.stop()
            event.prevent_default()  # TextArea's own handler is not run
            leave(self, 1)

    def action_new_line(self) -> None:
        start, end = self.selection
        self.replace("\n", start, end, maintain_selection_offset=False)

    def action_cursor_up(self, select: bool = False) -> None:
        if not select and self.navigator.is_first_wrapped_line(self.cursor_location):
            leave(self, -1)
        else:
            super().action_cursor_up(select)

    def action_cursor_down(self, select: bool = False) -> None:
        if not select and self.navigator.is_last_wrapped_line(self.cursor_location):
            leave(self, 1)
        else:
            super().action_cursor_down(select)


class LeavingTable(DataTable[Any]):
    """A table question's keys: `enter` moves on (`e` edits the row, as `a` adds one);
    `up` on the first row and `down` on the last leave the question."""

    BINDINGS = [Binding("enter", "leave", "Next question", show=False, id="table.next")]

    def action_leave(self) -> None:
        leave(self, 1)

    def action_cursor_up(self) -> None:
        if self.cursor_row <= 0:
            leave(self, -1)
        else:
            super().action_cursor_up()

    def action_cursor_down(self) -> None:
        if self.cursor_row >= self.row_count - 1:
            leave(self, 1)
        else:
            super().action_cursor_down()
