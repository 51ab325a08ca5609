"""An Input that hands each new value to its field at once, on the keystroke.

Textual's Input posts `Changed` after painting the echo, so whatever the answer
changes (the read-back line, the live panel) would land a frame later. Calling the
field from the value watcher puts the answer, the evaluation and every widget it
touches in the frame that echoes the key (docs/architecture.md "the path of one
answer").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import events
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Input


class AnswerInput(Input):
    def __init__(self, *args: Any, on_value: Callable[[str], None], **kwargs: Any) -> None:
        self._on_value: Callable[[str], None] | None = None
        super().__init__(*args, **kwargs)
        self._on_value = on_value

    def _size_scroll_region(self) -> bool:
        """Set the one-line virtual size without the layout reactive's screen-wide
        refresh; True when it changed."""
        if self.content_width <= 0 or self.virtual_size == Size(self.content_width, 1):
            return False
        self.set_reactive(Widget.virtual_size, Size(self.content_width, 1))
        return True

    def on_resize(self, event: events.Resize) -> None:
        """Input sizes its scroll region only when the value changes; a value set before
        the first layout would otherwise keep a zero width (drawn without its padding)."""
        if self._size_scroll_region():
            self.refresh()

    def _watch_value(self, value: str) -> None:
        # Input._watch_value sets `virtual_size`, a layout reactive: every keystroke would
        # re-lay-out the whole screen. A one-line input's virtual size moves nothing
        # else, so set it first without the reactive's refresh; Input's own assignment
        # is then a no-op (tests/test_speed.py fails if Textual changes that code).
        self._size_scroll_region()  # before the first layout, Input lays itself out
        super()._watch_value(value)
        if self._on_value is not None and self.is_mounted:
            self._on_value(value)
