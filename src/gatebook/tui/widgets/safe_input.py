"""An Input and a TextArea that never send a stored control character or bidi override
to the terminal.

A value another laptop stored (merge-file and import never rewrite one) may hold
`\x1b]0;...` or `\u202e`: drawn as it is, it would retitle, clear or reorder the user's
terminal. Only the drawing changes: each such character shows as U+FFFD, one for one,
so the cursor and selection stay where the value's characters are, and the value
itself is never rewritten (docs/contracts.md "Terminal output").
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Input, TextArea

from gatebook.terminal import shown_in_place


class SafeInput(Input):
    @property
    def _value(self) -> Text:
        text = super()._value
        safe = shown_in_place(text.plain)
        if safe == text.plain:
            return text
        return Text(safe, no_wrap=True, overflow="ignore", end="")


class SafeTextArea(TextArea):
    def get_line(self, line_index: int) -> Text:
        """Textual's hook for how a line is drawn: the stored line, drawn safe."""
        text = super().get_line(line_index)
        safe = shown_in_place(text.plain)
        return text if safe == text.plain else Text(safe, end="", no_wrap=True)
