"""Long text in a region of bounded height, for dialogs that must fit 80x24 whole.

The sign-off dialog's list of what blocks each decision can run to a dozen lines on a
review with many open items; shown in full it pushed the fields and the button after it
off a 24-row screen, where they could be reached by `tab` with no sign they existed.
Here the text scrolls inside a few rows, and a line under it says how many lines are
hidden and how to see them: in words, because a scrollbar is not visible without colour.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.events import Resize
from textual.widgets import Static


def hidden_text(above: int, below: int, focused: bool) -> str:
    """What the line under the text says: the lines below first (what is still to read),
    else the lines above; nothing when all of it is in view."""

    def lines(count: int) -> str:
        return f"{count} more line{'s' if count != 1 else ''}"

    if below > 0:
        way = "↓ or pgdn scrolls" if focused else "tab to it, then ↓ scrolls"
        return f"▼ {lines(below)} below: {way}"
    if above > 0:
        return f"▲ {lines(above)} above: ↑ or pgup scrolls"
    return ""


class TextScroll(VerticalScroll):
    """The scrolling part: it takes the focus only while some of its text is hidden, so
    `tab` never stops on a region with nothing to scroll."""

    def allow_focus(self) -> bool:
        return self.max_scroll_y > 0


class BoundedText(Vertical):
    """A Static in a `TextScroll` no taller than its max-height (set in app.tcss by the
    dialog that uses it), and the `more` line that says what is out of view."""

    DEFAULT_CSS = """
    BoundedText { height: auto; }
    BoundedText > TextScroll { height: auto; max-height: 5; border-left: blank; }
    BoundedText > TextScroll:focus { border-left: outer $accent; }
    BoundedText > TextScroll > Static { height: auto; }
    BoundedText > .bounded-text--more { height: 1; color: $text-muted; display: none; }
    BoundedText > .bounded-text--more.-shown { display: block; }
    """

    def __init__(self, *, text_id: str, id: str | None = None, classes: str = "") -> None:
        super().__init__(id=id)
        self._text_id = text_id
        self._text_classes = classes

    def compose(self) -> ComposeResult:
        with TextScroll():
            yield Static(Content(""), id=self._text_id, classes=self._text_classes)
        yield Static(Content(""), classes="bounded-text--more")

    @property
    def scroller(self) -> TextScroll:
        return self.query_one(TextScroll)

    def on_mount(self) -> None:
        scroller = self.scroller
        for name in ("scroll_y", "virtual_size", "has_focus"):
            self.watch(scroller, name, self._tell, init=False)

    def update(self, text: str) -> None:
        """New text, shown from its first line."""
        self.query_one(f"#{self._text_id}", Static).update(Content(text))
        self.scroller.scroll_home(animate=False)
        self.call_after_refresh(self._tell)

    def on_resize(self, event: Resize) -> None:
        self.call_after_refresh(self._tell)

    def hidden(self) -> tuple[int, int]:
        """Lines of the text above and below the region, as laid out now."""
        scroller = self.scroller
        above = round(scroller.scroll_y)
        return above, max(0, scroller.max_scroll_y - above)

    def _tell(self) -> None:
        above, below = self.hidden()
        more = self.query_one(".bounded-text--more", Static)
        text = hidden_text(above, below, self.scroller.has_focus)
        more.update(Content(text))
        more.set_class(bool(text), "-shown")
