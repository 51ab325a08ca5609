"""Help: every binding of the screen you came from, and the app's own."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from gatebook.tui.widgets.footer import keys_label
from gatebook.tui.widgets.quick_select import ANSWER_KEYS


def binding_rows(screen: Screen[object]) -> list[tuple[str, str]]:
    """(keys, description) for the screen's and the app's bindings, in declared order."""
    rows: list[tuple[str, str]] = []
    for source in (type(screen).BINDINGS, type(screen.app).BINDINGS):
        for binding in source:
            if isinstance(binding, Binding) and binding.description:
                rows.append((keys_label(binding.key), binding.description))
    return rows


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close help", id="help.close")]

    def __init__(self, screen: Screen[object]) -> None:
        super().__init__()
        self.for_screen = screen

    def compose(self) -> ComposeResult:
        lines = [
            f"Keys on this screen ({type(self.for_screen).__name__.removesuffix('Screen')})",
            "",
        ]
        lines += [f"{keys:<22} {text}" for keys, text in binding_rows(self.for_screen)]
        if getattr(self.for_screen, "questionnaire", None) is not None:  # a review
            lines += ["", "Answering"]
            lines += [f"{keys:<22} {text}" for keys, text in ANSWER_KEYS]
        lines += [
            "",
            "ctrl+p opens the command palette: every action, and on a review any",
            "question by typing part of its text. escape closes this help.",
        ]
        with VerticalScroll(classes="dialog help"):
            yield Static(Content("\n".join(lines)))

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
