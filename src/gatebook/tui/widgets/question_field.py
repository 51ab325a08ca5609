"""One question on screen: its prompt, an editor that fits its type, and a message line.

The field reads what is typed with the engine's value readers; a value it cannot
read stays on screen with the reason underneath and is not announced, so nothing
else changes. A readable value goes straight to `on_answer` (the session's
`answer`, handed over when the field is made): no message hop on the hot path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, Input, Select, SelectionList, Static, TextArea

from gatebook.engine.formatting import format_value
from gatebook.engine.values import ValueProblem, read_typed, stored_value
from gatebook.questionnaire.models import Question
from gatebook.terminal import terminal_safe
from gatebook.tui.widgets.answer_input import AnswerInput, AnswerTextArea
from gatebook.tui.widgets.answer_table import AnswerTable
from gatebook.tui.widgets.panel_text import PanelText
from gatebook.tui.widgets.quick_select import DigitRefused, QuickSelect, QuickSelectionList

READ_BACK_TYPES = frozenset({"money", "percent", "number", "integer", "date"})
NUMERIC_HINTS = {
    "money": "e.g. 5M, 500k, $1,200,000",
    "percent": "e.g. 15 or 15%",
    "number": "e.g. 1,200",
    "integer": "a whole number",
    "date": "YYYY-MM-DD",
}
"""What a number or date field reads, said once: on the line under the field (where
the read-back `= $750,000` takes its place while typing), never also inside it."""
UNANSWERED = "(unanswered)"
"""What an empty field shows inside it, as a choice does: visible without colour."""


def plain(text: str) -> Content:
    """User or questionnaire text, shown literally (never parsed as markup)."""
    return Content(terminal_safe(text))


class QuestionField(Vertical, can_focus=False):
    """A question with its editor; announces readable answers."""

    DEFAULT_CSS = """
    QuestionField { height: auto; margin: 0 0 1 0; }
    QuestionField .prompt { text-style: bold; }
    QuestionField .message { color: $text-muted; }
    QuestionField .message.-empty { display: none; }
    QuestionField .message.-error { color: $error; text-style: bold; }
    QuestionField .warning { color: $warning; }
    QuestionField .warning.-empty { display: none; }
    QuestionField.-hidden { display: none; }
    QuestionField.-na .prompt { text-style: bold strike; }
    QuestionField Input { border: none; height: 1; padding: 0 1; background: $boost; }
    QuestionField Select > SelectCurrent, QuestionField Select > SelectCurrent:ansi {
        border: none; height: 1; padding: 0 1; background: $boost;
    }
    /* Focus: a colour and a bar at the left edge, so it shows under NO_COLOR too; the
       chosen option stays visible while a choice has focus. */
    QuestionField Input:focus, QuestionField Select:focus > SelectCurrent,
    QuestionField Select:focus > SelectCurrent:ansi {
        border: none; border-left: outer $accent; background: $primary 25%;
    }
    QuestionField SelectionList:focus, QuestionField TextArea:focus, QuestionField DataTable:focus {
        border-left: outer $accent;
    }
    QuestionField TextArea { height: 4; border: none; background: $boost; }
    QuestionField DataTable { height: auto; max-height: 10; }
    QuestionField SelectionList { height: auto; max-height: 8; }
    """

    @dataclass
    class Focused(Message):
        field: QuestionField
        question_id: str

    @dataclass
    class EditRow(Message):
        field: QuestionField
        question_id: str
        row: int | None

    def __init__(
        self,
        question: Question,
        value: Any,
        *,
        marks: str = "",
        on_answer: Callable[[str, Any], None] | None = None,
    ) -> None:
        self._message: tuple[str, bool] | None = None
        super().__init__(id=f"field-{question.id}")
        self.question = question
        self.on_answer = on_answer
        self._warning: str | None = None
        self.stored_problem: str | None = None
        self.value = self._readable(value)
        self.marks = marks
        self._quiet = False
        # Made here, not in compose: a field of a page still mounting is already listed,
        # and focus elsewhere releases its warning line's height (it crashed the app).
        hint = self._help_content().plain
        classes = "message -empty" if not hint else "message"
        self._message_line = PanelText(
            hint, classes=classes + (" -error" if self.stored_problem else "")
        )
        self._warning_line = PanelText("", classes="warning -empty", holds_height=True)

    def _readable(self, value: Any) -> Any:
        """The stored value as the editor can show it; one that no longer reads (a hand
        edit, an option a newer questionnaire dropped) is a warning, never a crash."""
        self.stored_problem = None
        try:
            return stored_value(self.question, value)
        except (ValueProblem, ValueError, TypeError, RecursionError) as problem:
            shown = repr(value)
            shown = shown[:60] + ("..." if len(shown) > 60 else "")
            self.stored_problem = (
                f"The stored answer {shown} cannot be read ({problem}); it is kept until "
                "you answer again."
            )
            return None

    # ---- building -----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(self._prompt_content(), classes="prompt")
        yield self._make_editor()
        yield self._message_line
        yield self._warning_line

    def _prompt_content(self) -> Content:
        required = " *" if self.question.required else ""
        marks = f"  {self.marks}" if self.marks else ""
        return plain(f"{self.question.prompt}{required}{marks}")

    def _help_content(self) -> Content:
        if self.stored_problem:
            return plain(self.stored_problem)
        hint = NUMERIC_HINTS.get(self.question.type, "")
        if self.question.type == "table":
            hint = "a add row · e edit · d delete"
        return plain(hint)

    def _make_editor(self) -> Widget:
        q = self.question
        editor_id = f"editor-{q.id}"
        if q.type in ("text", "number", "integer", "money", "percent", "date"):
            return AnswerInput(
                value=self._as_text(self.value),
                placeholder=UNANSWERED,
                id=editor_id,
                select_on_focus=False,  # coming back never puts the text at risk
                on_value=self._accept,
            )
        if q.type == "longtext":
            return AnswerTextArea(
                self._as_text(self.value), id=editor_id, soft_wrap=True, placeholder=UNANSWERED
            )
        if q.type in ("boolean", "choice", "rating"):
            return QuickSelect(
                self._select_options(),
                q.type,
                value=self._select_value(),
                id=editor_id,
                prompt=UNANSWERED,
            )
        if q.type in ("multichoice", "checklist"):
            return QuickSelectionList(*self._selection_items(), id=editor_id)
        return AnswerTable(q, id=editor_id)

    def on_mount(self) -> None:
        if self.question.type == "table":
            self._fill_table()

    def _as_text(self, value: Any) -> str:
        if value is None:
            return ""
        if self.question.type in ("money", "percent", "number", "integer"):
            return format_value(self.question, value)
        return str(value)

    def _select_options(self) -> list[tuple[Content, Any]]:
        q = self.question
        if q.type == "boolean":
            return [(plain("Yes"), True), (plain("No"), False)]
        if q.type == "rating":
            return [(plain(f"{i} · {label}"), i) for i, label in enumerate(q.scale_labels())]
        return [(plain(option.label), option.value) for option in q.options]

    def _select_value(self) -> Any:
        return Select.NULL if self.value is None else self.value

    def _selection_items(self) -> list[tuple[Content, str, bool]]:
        q = self.question
        if q.type == "checklist":
            met = self.value if isinstance(self.value, dict) else {}
            return [(plain(item.title), item.id, bool(met.get(item.id))) for item in q.items]
        chosen = self.value if isinstance(self.value, list) else []
        return [(plain(o.label), o.value, o.value in chosen) for o in q.options]

    def _fill_table(self) -> None:
        self.query_one(AnswerTable).show_rows(self.value or [])

    # ---- reading what is typed ----------------------------------------------------

    @property
    def editor(self) -> Widget:
        return self.query_one(f"#editor-{self.question.id}")

    def focus_editor(self, from_below: bool = False) -> None:
        """Focus the editor; options and rows start at the edge they are entered from, so
        `up`/`down` walk through them and on; a long text at its end, to add to it."""
        editor = self.editor
        self.screen.set_focus(editor)  # at once: the next key already finds it
        if isinstance(editor, SelectionList) and editor.option_count:
            editor.highlighted = editor.option_count - 1 if from_below else 0
        elif isinstance(editor, DataTable) and editor.row_count:
            editor.move_cursor(row=editor.row_count - 1 if from_below else 0)
        elif isinstance(editor, TextArea):
            editor.move_cursor(editor.document.end)

    def _accept(self, raw: Any) -> None:
        if self._quiet:
            return
        try:
            value = read_typed(self.question, raw)
        except ValueProblem as problem:
            # The text is right above: "cannot read this ..." stays the same while the
            # person keeps typing, so the message is not redrawn on every key.
            text = str(problem)
            if isinstance(raw, str):
                text = text.replace(repr(raw), "this", 1).replace(repr(raw.strip()), "this", 1)
            self._show_message(text, error=True)
            return
        self.stored_problem = None
        self._show_message(self._reading(value), error=False)
        if value != self.value:
            self.value = value
            if self.on_answer is not None:
                self.on_answer(self.question.id, value)

    def _reading(self, value: Any) -> str:
        """What the field read, under it as it is typed: `= $750,000`, `= 15%`."""
        if value is not None and self.question.type in READ_BACK_TYPES:
            return f"= {format_value(self.question, value)}"
        return self._help_content().plain

    def _show_message(self, text: str, *, error: bool) -> None:
        """The line under the field; touched only when it changes (one repaint less per key)."""
        if (text, error) == self._message:
            return
        message = self._message_line
        message.set_text(text)
        message.set_class(error, "-error")
        message.set_class(not text, "-empty")
        self._message = (text, error)

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        """Answers arrive on the keystroke (AnswerInput); the message only stops here."""
        event.stop()

    @on(DigitRefused)
    def _digit_refused(self, event: DigitRefused) -> None:
        """A digit past the options: which digits there are, under the field; the
        answer stays as it is."""
        event.stop()
        self._show_message(event.text or self._reading(self.value), error=bool(event.text))

    @on(TextArea.Changed)
    def _text_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._accept(event.text_area.text)

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._accept(None if event.value is Select.NULL else event.value)

    @on(SelectionList.SelectedChanged)
    def _selection_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        event.stop()
        selected = list(event.selection_list.selected)
        if self.question.type == "checklist":
            self._accept({item.id: item.id in selected for item in self.question.items})
        else:
            self._accept(selected)

    def on_descendant_focus(self) -> None:
        self.post_message(self.Focused(self, self.question.id))

    # ---- tables -------------------------------------------------------------------

    BINDINGS = [
        Binding("down,tab", "screen.next_question", "Next question", id="field.next", show=False),
        Binding(
            "up,shift+tab",
            "screen.previous_question",
            "Previous question",
            id="field.previous",
            show=False,
        ),
        Binding("a", "add_row", "Add row", id="table.add", show=False),
        Binding("e", "edit_row", "Edit row", id="table.edit", show=False),
        Binding("d,delete", "delete_row", "Delete row", id="table.delete", show=False),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add_row", "edit_row", "delete_row"):
            return self.question.type == "table"
        return True

    def action_add_row(self) -> None:
        self.post_message(self.EditRow(self, self.question.id, None))

    def action_edit_row(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            self.post_message(self.EditRow(self, self.question.id, table.cursor_row))

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit_row()

    def action_delete_row(self) -> None:
        table = self.query_one(DataTable)
        rows = list(self.value or [])
        if rows and 0 <= table.cursor_row < len(rows):
            del rows[table.cursor_row]
            self.set_rows(rows)

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        """Replace the table's rows (from the row editor) and announce them."""
        self._accept(rows)
        self._fill_table()

    # ---- showing values set elsewhere (undo, reload) --------------------------------

    def show_value(self, value: Any) -> None:
        """Show a value without announcing it (it came from the store)."""
        value = self._readable(value)
        self.value = value
        self._quiet = True
        try:
            editor = self.editor
            if isinstance(editor, Input):
                editor.value = self._as_text(value)
            elif isinstance(editor, TextArea):
                editor.text = self._as_text(value)
            elif isinstance(editor, Select):
                editor.value = self._select_value()
            elif isinstance(editor, SelectionList):
                editor.deselect_all()
                for _, item_value, chosen in self._selection_items():
                    if chosen:
                        editor.select(item_value)
            elif isinstance(editor, DataTable):
                self._fill_table()
        finally:
            self.call_after_refresh(self._unquiet)

    def _unquiet(self) -> None:
        self._quiet = False

    def set_warning(self, text: str | None) -> None:
        """A cross-question check that names this question (a warning, not a refusal)."""
        if text == self._warning:
            return
        self._warning = text
        # quotes the value: one line repaints; a warning that comes and goes while
        # typing holds its line until the focus moves on (release_height)
        self._warning_line.show(f"⚠ {text}" if text else "")

    def release_height(self) -> None:
        self._warning_line.release_height()

    def set_marks(self, marks: str, not_applicable: bool) -> None:
        """Called for every change of the question; repaints only when the marks moved."""
        if marks != self.marks:
            self.marks = marks
            self.query_one(".prompt", Static).update(self._prompt_content())
        self.set_class(not_applicable, "-na")
