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

from gatebook.tui.widgets.safe_input import SafeInput


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
