"""A block of the live panel's text that repaints only the lines that changed.

A Static renders all of its lines again whenever any part of it is dirty: the flags
block is about 28 lines at 120x40, and a keystroke usually changes one of them (the
`why` that quotes the typed value). This widget keeps its wrapped lines, compares
the new ones with the old and marks only the changed lines dirty, so a keystroke
costs the compositor and the terminal one line instead of the block. When the number
of lines changes, it lays out again as a Static would, unless it holds its height.

A block that holds its height (the live panel's) keeps the most lines it has shown
since `release_height`: a flag raised and cleared while typing in one question
repaints lines only, because a block that grows and shrinks by two lines laid the
whole screen out twice per toggle. The screen releases the height when the focus
moves to another question (a layout happens then anyway).
"""

from __future__ import annotations

from functools import lru_cache

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.content import Content
from textual.filter import ANSIToTruecolor
from textual.geometry import Region, Size, Spacing
from textual.strip import Strip
from textual.widget import Widget

from gatebook.terminal import terminal_safe
from gatebook.tui import speedups

STRIPS_KEPT = 256


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

    def __init__(
        self,
        text: str = "",
        *,
        id: str | None = None,
        classes: str = "",
        holds_height: bool = False,
        styles_blank: bool = False,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.holds_height = holds_height
        self.styles_blank = styles_blank
        """Whether a CSS rule styles this block's `-blank` class (the escalation block's
        background): only then does marking it blank restyle it. Restyling a warning
        line that comes and goes with a flag was a tenth of the keystroke."""
        self._held: tuple[int, int] = (0, 0)
        """(width, lines): the most lines shown at that width since the last release."""
        self._given = text
        self.text = terminal_safe(text).replace("\t", " ")
        self._wrapped_as: tuple[str, int] | None = None
        self._wrapped_lines: list[str] = []
        self._strips: dict[tuple[str, int, Style], Strip] = {}
        """Drawn lines by text, width and style: a flag raised above others moves their
        lines down, and each is drawn again from here."""

    def _lines(self, width: int) -> list[str]:
        """The text's lines at `width` (remembered for the text and width last asked)."""
        if self._wrapped_as != (self.text, width):
            self._wrapped_as, self._wrapped_lines = (self.text, width), wrap(self.text, width)
        return self._wrapped_lines

    def render(self) -> Content:
        """The whole text (what tests read)."""
        return Content(self.text)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """The wrapped lines, or the lines held at this width when more."""
        lines = len(self._lines(width))
        if not self.holds_height:
            return lines
        held_width, held = self._held
        held = max(lines, held if held_width == width else 0)
        self._held = (width, held)
        return held

    def held_lines(self) -> int:
        """How many lines the block takes now (0 when it holds no height)."""
        width, held = self._held
        return held if self.holds_height and width == self.content_size.width else 0

    def release_height(self) -> None:
        """Take only the lines the text needs again (the next layout measures them)."""
        width, held = self._held
        self._held = (width, 0)
        if not self.text:
            self.add_class("-empty")
        if held > len(self._lines(width)):
            self.refresh(layout=True)

    def show(self, text: str) -> None:
        """`set_text`, marked `-empty` (hidden where the CSS says so) when there is no
        text, unless it holds lines: then it stays in place, blank (`-blank`), and
        filling it again repaints lines without a layout."""
        self.set_text(text)
        self.set_class(not text, "-blank", update=self.styles_blank)
        self.set_class(not text and not self.held_lines(), "-empty")

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
        fits = self.holds_height and len(new) <= self.held_lines()
        if len(old) != len(new) and not fits:
            self.refresh(layout=True)
            return
        for y in range(max(len(old), len(new))):
            if y >= len(old) or y >= len(new) or old[y] != new[y]:
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
        key = (line, width, style)
        strip = self._strips.get(key)
        if strip is None:
            if len(self._strips) >= STRIPS_KEPT:
                self._strips.clear()
            strip = Strip([Segment(line, style)], cell_len(line)).crop_extend(0, width, style)
            self._strips[key] = strip
        return strip
