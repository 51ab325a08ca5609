"""The form: the current section's questions, one `QuestionField` each.

Only the current section is mounted, and of a long one (an imported lens pillar, a
generated questionnaire) one page of PAGE questions at a time: widget count is
keystroke latency. Moving past a page's end mounts the next. Each field is handed
the session's `answer` when it is mounted, so a typed answer reaches the session
by a direct call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual import on
from textual.containers import VerticalScroll
from textual.widget import AwaitMount

from gatebook.engine import Evaluation
from gatebook.questionnaire.models import Question, Questionnaire, Section
from gatebook.store import Review
from gatebook.tui.key_order import KeysMayGo
from gatebook.tui.screens.modals import RowEditor
from gatebook.tui.widgets.question_field import QuestionField

Answer = Callable[[str, Any], None]
PAGE = 25
"""Questions mounted at once; a section with more is shown a page at a time."""


def marks_of(review: Review, question_id: str, changed_since: str | None = None) -> str:
    """The marks beside a prompt: follow-up, note, not applicable (with its reason), and
    with the changes shown, "changed since MILESTONE"."""
    marks = []
    conflict = next((c for c in review.conflicts if c.field == f"answers.{question_id}"), None)
    if conflict is not None:
        marks.append(
            f"⚠ merge conflict: ours {conflict.ours!r}, theirs {conflict.theirs!r} "
            "(F11 keeps ours, F12 takes theirs)"
        )
    if changed_since is not None:
        marks.append(f"Δ since {changed_since}")
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


@dataclass(frozen=True)
class SinceMilestone:
    """The milestone whose changes the form marks: its name, answers and N/A."""

    name: str
    answers: dict[str, Any]
    not_applicable: dict[str, str]

    def changed(self, review: Review, question_id: str) -> bool:
        return review.answers.get(question_id) != self.answers.get(
            question_id
        ) or review.not_applicable.get(question_id) != self.not_applicable.get(question_id)


class ReviewForm(VerticalScroll):
    """The fields of one section; hidden ones (`show_if` false) stay mounted but hidden."""

    section: Section | None = None
    since: SinceMilestone | None = None
    """With the changes shown (F7): the milestone they are marked against."""
    page_start = 0
    current: Callable[[], tuple[Review, Evaluation]] | None = None
    """The open review and its evaluation now (set by the screen), to mount a page."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._by_id: dict[str, QuestionField] = {}
        """The fields shown, by question id: looked up on every keystroke, never queried."""
        self._mounting: AwaitMount | None = None
        self._warnings: dict[str, list[str]] | None = None
        """The warnings the fields of this page show (None: a new page, none shown yet)."""
        self._focus_pending = 0
        """Focus requests waiting for a page or an editor to be mounted."""

    @property
    def focus_pending(self) -> bool:
        """A question is about to take the focus (its page or editor is still being
        mounted): what the screen shows is not final until this is False, and keys
        typed meanwhile wait for that focus (tui/key_order.py)."""
        return self._focus_pending > 0

    def _focus_done(self) -> None:
        """One focus request is over; the last one lets waiting keys look again (the
        focus it gave, if any, has been given)."""
        self._focus_pending -= 1
        if not self._focus_pending:
            self.app.post_message(KeysMayGo())

    def show(
        self,
        section: Section,
        review: Review,
        result: Evaluation,
        answer: Answer,
        focus: str | None = None,
    ) -> None:
        """Mount the section's page that holds `focus` (else its first page)."""
        self.section, self._answer = section, answer
        ids = [q.id for q in section.questions]
        start = (ids.index(focus) // PAGE) * PAGE if focus in ids else 0
        self._mount_page(start, review, result)

    def _mount_page(self, start: int, review: Review, result: Evaluation) -> None:
        assert self.section is not None
        self.page_start = start
        fields = []
        for question in self.section.questions[start : start + PAGE]:
            field = QuestionField(
                question,
                review.answers.get(question.id),
                marks=marks_of(review, question.id, self.since_of(review, question.id)),
                on_answer=self._answer,
            )
            field.set_class(question.id not in result.visible, "-hidden")
            field.set_class(question.id in review.not_applicable, "-na")
            fields.append(field)
        if self.has_focus_within:  # the focus leaves the fields removed, for the form
            self.screen.set_focus(self, scroll_visible=False)
        self.remove_children()
        self._by_id = {field.question.id: field for field in fields}
        self._warnings = None
        self._mounting = self.mount_all(fields)
        self.scroll_home(animate=False)

    def page_label(self) -> str:
        """`questions 26-50 of 120` for a paged section, else ''."""
        total = len(self.section.questions) if self.section else 0
        if total <= PAGE:
            return ""
        end = min(self.page_start + PAGE, total)
        return f"questions {self.page_start + 1}-{end} of {total}"

    def turn_page(self, step: int) -> bool:
        """Mount the next (+1) or previous (-1) page; False when there is none."""
        if self.section is None or self.current is None:
            return False
        start = self.page_start + step * PAGE
        if not 0 <= start < len(self.section.questions):
            return False
        review, result = self.current()
        self._mount_page(start, review, result)
        return True

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
        return list(self._by_id.values())

    def visible_fields(self) -> list[QuestionField]:
        return [f for f in self.fields() if not f.has_class("-hidden")]

    def field(self, question_id: str) -> QuestionField | None:
        return self._by_id.get(question_id)

    def focus_question(self, question_id: str, from_below: bool = False) -> None:
        field = self.field(question_id)
        if field is None and self.section is not None and self.current is not None:
            ids = [q.id for q in self.section.questions]
            if question_id in ids:  # on another page of this section: mount it first
                review, result = self.current()
                self._mount_page((ids.index(question_id) // PAGE) * PAGE, review, result)
                self._focus_when_mounted(question_id, from_below)
            return
        if field is not None and not field.is_mounted:  # its page is still mounting
            self._focus_when_mounted(question_id, from_below)
        elif field is not None:
            self._focus(field, from_below)

    def _focus(self, field: QuestionField, from_below: bool = False, tries: int = 5) -> None:
        """Focus a field's editor; a field that is mounted but still building its
        editor (a recompose in flight) is tried again after the next refresh, never
        looked up while missing (no crash on a call)."""
        if not field.is_mounted:
            return
        if not field.query(f"#editor-{field.question.id}"):
            if tries:
                self._focus_pending += 1
                self.call_after_refresh(self._focus_again, field, from_below, tries - 1)
            return
        field.focus_editor(from_below)
        field.scroll_visible()

    def _focus_again(self, field: QuestionField, from_below: bool, tries: int) -> None:
        self._focus_done()
        self._focus(field, from_below, tries)

    def _focus_when_mounted(self, question_id: str, from_below: bool) -> None:
        """Focus once the page being mounted is there (its editors exist only then)."""
        mounting = self._mounting

        async def focus() -> None:
            try:
                if mounting is not None:
                    await mounting
                field = self.field(question_id)
                if field is not None and field.is_mounted:
                    self._focus(field, from_below)
            finally:
                self._focus_done()

        self._focus_pending += 1
        self.call_later(focus)

    def show_visibility(self, result: Evaluation) -> None:
        for field in self.fields():
            field.set_class(field.question.id not in result.visible, "-hidden")

    def show_warnings(self, result: Evaluation) -> None:
        """Each cross-question warning at every field its check names."""
        by_question: dict[str, list[str]] = {}
        for warning in result.warnings:
            for question_id in warning.questions:
                by_question.setdefault(question_id, []).append(warning.message)
        if by_question == self._warnings:
            return  # the same warnings on the same page: nothing to touch
        self._warnings = by_question
        for field in self.fields():
            messages = by_question.get(field.question.id)
            field.set_warning(" ".join(messages) if messages else None)

    def release_heights(self) -> None:
        """Warning lines held while typing take only what they need again."""
        for field in self.fields():
            field.release_height()

    def since_of(self, review: Review, question_id: str) -> str | None:
        since = self.since
        return since.name if since is not None and since.changed(review, question_id) else None

    def show_all_marks(self, review: Review) -> None:
        for question_id in list(self._by_id):
            self.show_marks(review, question_id)

    def show_marks(self, review: Review, question_id: str) -> None:
        field = self.field(question_id)
        if field is not None:
            since = self.since_of(review, question_id)
            field.set_marks(
                marks_of(review, question_id, since), question_id in review.not_applicable
            )

    def show_stored(self, review: Review, question_id: str) -> None:
        """Show a value that came from the store (undo, recovery), without re-announcing."""
        field = self.field(question_id)
        if field is not None:
            field.show_value(review.answers.get(question_id))
            self.show_marks(review, question_id)
