"""What changed in an engagement since a milestone (`d` on the engagement screen): the
text `gatebook engagement diff` prints, in a dialog that scrolls and closes with escape.
A dialog, so the engagement screen does not load again when it closes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static


class EngagementDiffScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q", "close", "Close", id="engagement_diff.close"),
        Binding("down", "scroll(1)", "Scroll down", id="engagement_diff.down", show=False),
        Binding("up", "scroll(-1)", "Scroll up", id="engagement_diff.up", show=False),
        Binding("pagedown", "page(1)", "Page down", id="engagement_diff.page_down"),
        Binding("pageup", "page(-1)", "Page up", id="engagement_diff.page_up"),
    ]

    def __init__(self, title: str, lines: list[str]) -> None:
        super().__init__()
        self.diff_title = title
        self.lines = lines

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog engagement-diff", id="engagement-diff"):
            yield Label(Content(self.diff_title), classes="dialog-title")
            yield Static(Content("\n".join(self.lines)), id="engagement-diff-text")
            yield Static(
                Content("up/down and page up/down scroll · escape closes"), classes="dialog-hint"
            )

    def _scroller(self) -> VerticalScroll:
        return self.query_one("#engagement-diff", VerticalScroll)

    def action_scroll(self, lines: int) -> None:
        self._scroller().scroll_relative(y=lines, animate=False)

    def action_page(self, pages: int) -> None:
        scroller = self._scroller()
        scroller.scroll_relative(y=pages * max(1, scroller.size.height - 2), animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
