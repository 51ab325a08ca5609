"""The form: the current section's questions, one `QuestionField` each.

Only the current section is mounted (widget count is keystroke latency). Each
field is handed the session's `answer` when it is mounted, so a typed answer
reaches the session by a direct call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.containers import VerticalScroll

from gatebook.engine import Evaluation
from gatebook.questionnaire.models import Question, Questionnaire, Section
from gatebook.store import Review
from gatebook.tui.screens.modals import RowEditor
from gatebook.tui.widgets.question_field import QuestionField

Answer = Callable[[str, Any], None]


def marks_of(review: Review, question_id: str) -> str:
    """The marks beside a prompt: follow-up, note, not applicable (with its reason)."""
    marks = []
    if question_id in review.follow_ups:
        marks.append("⚑ follow-up")
    if question_id in review.notes:
        marks.append("✎ note")
    if question_id in review.not_applicable:
        marks.append(f"N/A: {review.not_applicable[question_id]}")
    return "  ".join(marks)


def next_after(
    questionnaire: Questionnaire, current: str | None, wanted: Callable[[Question], bool]
) -> str | None:
    """The first question after `current` (wrapping round) that is `wanted`."""
    questions = questionnaire.questions()
    ids = [q.id for q in questions]
    start = ids.index(current) + 1 if current in ids else 0
    return next((q.id for q in questions[start:] + questions[:start] if wanted(q)), None)


class ReviewForm(VerticalScroll):
    """The fields of one section; hidden ones (`show_if` false) stay mounted but hidden."""

    _by_id: dict[str, QuestionField]
    """The fields shown, by question id: looked up on every keystroke, never queried."""

    def show(self, section: Section, review: Review, result: Evaluation, answer: Answer) -> None:
        self.remove_children()
        fields = []
        for question in section.questions:
            field = QuestionField(
                question,
                review.answers.get(question.id),
                marks=marks_of(review, question.id),
                on_answer=answer,
            )
            field.set_class(question.id not in result.visible, "-hidden")
            field.set_class(question.id in review.not_applicable, "-na")
            fields.append(field)
        self._by_id = {field.question.id: field for field in fields}
        self.mount_all(fields)

    @on(QuestionField.EditRow)
    def _edit_row(self, event: QuestionField.EditRow) -> None:
        rows = list(event.field.value or [])
        current = rows[event.row] if event.row is not None and event.row < len(rows) else None

        def done(row: dict[str, Any] | None) -> None:
            if row is None:
                return
            if event.row is None or event.row >= len(rows):
                rows.append(row)
            else:
                rows[event.row] = row
            event.field.set_rows(rows)

        self.app.push_screen(RowEditor(event.field.question, current), done)

    def fields(self) -> list[QuestionField]:
        return list(getattr(self, "_by_id", {}).values())

    def visible_fields(self) -> list[QuestionField]:
        return [f for f in self.fields() if not f.has_class("-hidden")]

    def field(self, question_id: str) -> QuestionField | None:
        return getattr(self, "_by_id", {}).get(question_id)

    def focus_question(self, question_id: str) -> None:
        field = self.field(question_id)
        if field is not None:
            field.focus_editor()
            field.scroll_visible()

    def show_visibility(self, result: Evaluation) -> None:
        for field in self.fields():
            field.set_class(field.question.id not in result.visible, "-hidden")

    def show_warnings(self, result: Evaluation) -> None:
        """Each cross-question warning at every field its check names."""
        by_question: dict[str, list[str]] = {}
        for warning in result.warnings:
            for question_id in warning.questions:
                by_question.setdefault(question_id, []).append(warning.message)
        for field in self.fields():
            messages = by_question.get(field.question.id)
            field.set_warning(" ".join(messages) if messages else None)

    def show_marks(self, review: Review, question_id: str) -> None:
        field = self.field(question_id)
        if field is not None:
            field.set_marks(marks_of(review, question_id), question_id in review.not_applicable)

    def show_stored(self, review: Review, question_id: str) -> None:
        """Show a value that came from the store (undo, recovery), without re-announcing."""
        field = self.field(question_id)
        if field is not None:
            field.show_value(review.answers.get(question_id))
            self.show_marks(review, question_id)
