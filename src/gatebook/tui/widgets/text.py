"""Updating text without a screen-wide layout pass when its shape is unchanged.

`Static.update` re-lays-out the whole screen by default. On a keystroke the live
panel's texts usually keep their line count (a number in a `why` changes), and a
layout pass of the review screen costs tens of milliseconds; skipping it when the
text keeps its shape is what keeps typing close to a bare input.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from gatebook.tui.widgets.panel_text import wrap


def _height(text: str, width: int) -> int:
    """Lines the text takes when wrapped to `width` cells."""
    return max(1, len(wrap(text, width)))


def update_text(widget: Static, text: str, old: str | None) -> None:
    """Show `text` literally (never markup); layout only when its shape may change."""
    width = widget.content_size.width
    same_shape = (
        old is not None
        and width > 0
        and bool(old) == bool(text)
        and _height(old, width) == _height(text, width)
    )
    widget.update(Content(text), layout=not same_shape)
