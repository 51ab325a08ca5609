"""Small dialogs: ask for a line of text, confirm, edit a table row, pick a questionnaire."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from gatebook.terminal import terminal_safe
from gatebook.tui.widgets.safe_input import SafeInput

if TYPE_CHECKING:
    from gatebook.questionnaire.models import Question


class TextPrompt(ModalScreen[str | None]):
    """Ask for one line of text; enter accepts, escape cancels (returns None)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, title: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.prompt_title = title
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(terminal_safe(self.prompt_title)), classes="dialog-title")
            yield SafeInput(self.value, placeholder=self.placeholder, id="prompt-input")
            yield Static(
                Content("enter to save · escape to cancel"), classes="dialog-hint", id="prompt-hint"
            )

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        """Text that cannot be stored (a control character, a lone surrogate) is refused
        here, with why under the field; the dialog stays open and nothing is saved."""
        from gatebook.engine.text import typed_text
        from gatebook.engine.values import ValueProblem

        try:
            text = typed_text(event.value)
        except ValueProblem as problem:
            why = str(problem)
            self.query_one("#prompt-hint", Static).update(Content(why[:1].upper() + why[1:]))
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class Confirm(ModalScreen[bool]):
    """Yes/no question; y or enter confirms, n or escape cancels."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="dialog.yes"),
        Binding("n,escape", "answer(False)", "No", id="dialog.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(terminal_safe(self.question)), classes="dialog-title")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Yes (y)", id="yes", variant="error")
                yield Button("No (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class UpgradeConfirm(Confirm):
    """Before the first change upgrades a signed review (docs/contracts.md "Versions"):
    y upgrades and makes the change; n or escape keeps the review as it is."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(terminal_safe(self.question)), classes="dialog-title")
            yield Label(
                Content("Upgrade and make the change, or keep the review as it is?"),
                classes="dialog-hint",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Upgrade (y)", id="yes", variant="error")
                yield Button("Keep as it is (n)", id="no")


class RowEditor(ModalScreen[dict[str, Any] | None]):
    """Edit one table row: a field per column, each read with its column's type."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("ctrl+s", "save", "Save row", id="dialog.save", priority=True),
    ]

    def __init__(self, question: Question, row: dict[str, Any] | None) -> None:
        super().__init__()
        self.question = question
        self.row = row or {}

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Label(
                Content(terminal_safe(f"{self.question.prompt}: row")), classes="dialog-title"
            )
            for column in self.question.columns:
                yield Label(Content(terminal_safe(column.prompt)))
                current = self.row.get(column.id)
                if column.type in ("choice", "boolean"):
                    options: list[tuple[Content, Any]] = (
                        [(Content("Yes"), True), (Content("No"), False)]
                        if column.type == "boolean"
                        else [(Content(terminal_safe(o.label)), o.value) for o in column.options]
                    )
                    yield Select[Any](
                        options,
                        value=Select.NULL if current is None else current,
                        id=f"col-{column.id}",
                        prompt="(empty)",
                    )
                else:
                    yield SafeInput(
                        "" if current is None else str(current),
                        id=f"col-{column.id}",
                        select_on_focus=False,
                    )
            yield Static(
                Content("ctrl+s or enter on the last field saves · escape cancels"),
                classes="dialog-hint",
                id="row-message",
            )

    def on_mount(self) -> None:
        """Typing starts in the first cell, never in the scrolling frame around it."""
        first = self.question.columns[0].id if self.question.columns else None
        if first is not None:
            self.query_one(f"#col-{first}").focus()

    def _read(self) -> dict[str, Any] | None:
        from gatebook.engine.values import ValueProblem, read_typed  # not needed to start

        row: dict[str, Any] = {}
        for column in self.question.columns:
            widget = self.query_one(f"#col-{column.id}")
            raw: Any = widget.value if isinstance(widget, Input | Select) else None
            if raw is Select.NULL or raw in (None, ""):
                continue
            try:
                row[column.id] = read_typed(column, raw)
            except ValueProblem as problem:
                self.query_one("#row-message", Static).update(
                    Content(f"{column.prompt}: {problem}")
                )
                return None
        return row

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def _raw_cells(self) -> dict[str, Any]:
        cells: dict[str, Any] = {}
        for column in self.question.columns:
            widget = self.query_one(f"#col-{column.id}")
            raw: Any = widget.value if isinstance(widget, Input | Select) else None
            if raw is not Select.NULL and raw not in (None, ""):
                cells[column.id] = raw
        return cells

    def action_save(self) -> None:
        row = self._read()
        if row is None:
            return
        if not row:  # an empty row is not a row: nothing is saved
            self.query_one("#row-message", Static).update(
                Content("The row is empty: fill a cell, or escape to leave.")
            )
            return
        self.dismiss(row)

    def action_cancel(self) -> None:
        """Leave; with cells typed but not saved, ask first."""
        before = {k: v for k, v in self.row.items() if v not in (None, "")}
        if {k: str(v) for k, v in self._raw_cells().items()} == {
            k: str(v) for k, v in before.items()
        }:
            self.dismiss(None)
            return

        def done(leave: bool | None) -> None:
            if leave:
                self.dismiss(None)

        self.app.push_screen(
            Confirm("This row has changes that are not saved. Discard them?"), done
        )


class PickOption(ModalScreen[str | None]):
    """Pick one item from a list (questionnaires, reviews to copy from); `highlighted`
    preselects one, so enter alone takes it."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(
        self, title: str, options: list[tuple[str, str]], *, highlighted: int | None = None
    ) -> None:
        super().__init__()
        self.pick_title = title
        self.options = options
        self.highlighted = highlighted

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(terminal_safe(self.pick_title)), classes="dialog-title")
            yield OptionList(
                *(Option(Content(terminal_safe(label)), id=key) for key, label in self.options)
            )

    def on_mount(self) -> None:
        if self.highlighted is not None:
            self.query_one(OptionList).highlighted = self.highlighted

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
