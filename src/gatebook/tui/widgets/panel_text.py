"""A block of the live panel's text that repaints only the lines that changed.

A Static renders all of its lines again whenever any part of it is dirty: the flags
block is about 28 lines at 120x40, and a keystroke usually changes one of them (the
`why` that quotes the typed value). This widget keeps its wrapped lines, compares
the new ones with the old and marks only the changed lines dirty, so a keystroke
costs the compositor and the terminal one line instead of the block. When the number
of lines changes, it lays out again as a Static would.
"""

from __future__ import annotations

from functools import lru_cache

from rich.cells import cell_len
from rich.segment import Segment
from textual.content import Content
from textual.filter import ANSIToTruecolor
from textual.geometry import Region, Spacing
from textual.strip import Strip
from textual.widget import Widget

from gatebook.terminal import terminal_safe
from gatebook.tui import speedups


@lru_cache(maxsize=4096)
def wrap_line(line: str, width: int) -> tuple[str, ...]:
    """One line as the lines it takes at `width` cells (word-wrapped as a Static does).

    Cached: between two keystrokes most lines of the panel are the same, and wrapping
    through Content was most of the cost of showing the panel."""
    if width <= 0 or cell_len(line) <= width:
        return (line,)
    return tuple(part.plain for part in Content(line).wrap(width))


def wrap(text: str, width: int) -> list[str]:
    """`text` as the lines it takes at `width` cells."""
    if not text:
        return []
    return [part for line in text.split("\n") for part in wrap_line(line, width)]


class PanelText(Widget):
    """Also a field's read-back and warning lines, which change on every keystroke."""

    DEFAULT_CSS = "PanelText { height: auto; }"

    def __init__(self, text: str = "", *, id: str | None = None, classes: str = "") -> None:
        super().__init__(id=id, classes=classes)
        self._given = text
        self.text = terminal_safe(text).replace("\t", " ")
        self._wrapped_as: tuple[str, int] | None = None
        self._wrapped_lines: list[str] = []

    def _lines(self, width: int) -> list[str]:
        """The text's lines at `width` (remembered for the text and width last asked)."""
        if self._wrapped_as != (self.text, width):
            self._wrapped_as, self._wrapped_lines = (self.text, width), wrap(self.text, width)
        return self._wrapped_lines

    def render(self) -> Content:
        """The whole text: what its height is measured from (and what tests read)."""
        return Content(self.text)

    def set_text(self, text: str) -> None:
        """Show `text` literally; only lines that differ are repainted."""
        if text == self._given:
            return
        self._given = text
        previous, self.text = self.text, terminal_safe(text).replace("\t", " ")
        width = self.content_size.width
        if width <= 0:
            # Hidden (the panel at 80 columns) or not laid out yet: the layout that shows
            # it measures the new text; asking for one now re-laid-out the screen per key.
            self.clear_cached_dimensions()
            return
        old, new = wrap(previous, width), self._lines(width)
        if len(old) != len(new):
            self.refresh(layout=True)
            return
        for y, (before, after) in enumerate(zip(old, new, strict=True)):
            if before != after:
                self.refresh(Region(0, y, width, 1))

    def draws_directly(self) -> bool:
        """True when the styles cache would add nothing to `render_line`'s strips: no
        border, padding, outline, hatch, tint, opacity or text opacity, no line filter
        but the ANSI-to-truecolor one every app has (its colours are never ANSI ones
        here; NO_COLOR adds a filter that does change them), colours not mapped to
        the terminal's, and the speed kit on (GATEBOOK_STOCK_TEXTUAL=1 turns it off).
        Anything else goes through Textual."""
        styles = self.styles
        return (
            speedups.ENABLED
            and not self.app.ansi_color
            and styles.padding == Spacing()
            and styles.border.spacing == Spacing()
            and not any(edge for edge, _color in styles.outline)
            and not (styles.has_rule("hatch") and styles.hatch != "none")
            and not styles.tint.a
            and self.opacity == 1.0
            and styles.text_opacity == 1.0
            and all(isinstance(f, ANSIToTruecolor) for f in self.get_line_filters())
        )

    def render_lines(self, crop: Region) -> list[Strip]:
        """Lines straight from `render_line` when the styles cache would add nothing:
        its per-call work (walking the ancestors for background colours) cost more
        than drawing the line."""
        if not self.draws_directly():
            return super().render_lines(crop)
        return [self.render_line(y).crop(crop.x, crop.right) for y in crop.line_range]

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        lines = self._lines(width)
        style = self.visual_style.rich_style
        line = lines[y] if y < len(lines) else ""
        return Strip([Segment(line, style)], cell_len(line)).crop_extend(0, width, style)
