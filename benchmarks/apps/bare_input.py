"""Keystroke baseline: a bare Textual Input, focused, nothing else."""

from textual.app import App, ComposeResult
from textual.widgets import Input, Static


class BareInput(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("bare input ready")
        yield Input(id="field")

    def on_mount(self) -> None:
        self.query_one(Input).focus()


if __name__ == "__main__":
    BareInput().run()
