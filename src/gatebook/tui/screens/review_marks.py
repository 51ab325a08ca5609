"""The review screen's marks and records: a note, N/A (a question's or a whole
section's), a follow-up, the session dialog. A mixin so the screen stays small."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gatebook.questionnaire.models import Questionnaire
from gatebook.store import Change, ChangeKind, Review
from gatebook.store.records import section_na_change
from gatebook.tui.screens.base import GatebookScreen
from gatebook.tui.screens.modals import TextPrompt
from gatebook.tui.screens.records import MeetingDialog

if TYPE_CHECKING:
    from gatebook.tui.session import ReviewSession


class ReviewMarks(GatebookScreen):
    """The open review's session, and the actions that mark or record on it."""

    session: ReviewSession
    current_question: str | None
    section_index: int

    @property
    def review(self) -> Review:
        return self.session.review

    @property
    def questionnaire(self) -> Questionnaire:
        return self.session.questionnaire

    def apply(self, changes: list[Change]) -> None:
        """Apply changes through the session (the panel follows in the same frame)."""
        self.session.apply(changes)

    def action_note(self) -> None:
        question_id = self.current_question
        if not question_id:
            return

        def done(text: str | None) -> None:
            if text is not None:
                self.apply([Change(ChangeKind.NOTE, question_id, text)])

        self.app.push_screen(
            TextPrompt("Note on this question", self.review.notes.get(question_id, "")), done
        )

    def action_not_applicable(self) -> None:
        question_id = self.current_question
        if not question_id:
            return
        if question_id in self.review.not_applicable:
            self.apply([Change(ChangeKind.NOT_APPLICABLE, question_id, None)])
            self.notify("Not-applicable mark removed.")
            return

        def done(reason: str | None) -> None:
            if reason is not None:
                reason = reason or "not applicable"
                self.apply([Change(ChangeKind.NOT_APPLICABLE, question_id, reason)])

        self.app.push_screen(TextPrompt("Not applicable: why?", "", "reason"), done)

    def action_na_section(self) -> None:
        """Mark the whole section not applicable with one reason (again: clear it)."""
        section = self.questionnaire.sections[self.section_index]
        marked = all(q.id in self.review.not_applicable for q in section.questions)
        if marked:
            self.apply([section_na_change(self.questionnaire, section.id, None)])
            self.notify(f"{section.title}: not-applicable marks removed.")
            return

        def done(reason: str | None) -> None:
            if reason is not None:
                change = section_na_change(self.questionnaire, section.id, reason or "n/a")
                self.apply([change])

        prompt = f"Whole section not applicable: {section.title}. Why?"
        self.app.push_screen(TextPrompt(prompt, "", "reason"), done)

    def action_sessions(self) -> None:
        """Who is on the call today (a new review opens with it)."""

        def done(changes: list[Change] | None) -> None:
            if changes:
                self.apply(changes)
                self.notify("Session recorded.", timeout=2)

        self.app.push_screen(MeetingDialog(self.session), done)

    def action_follow_up(self) -> None:
        question_id = self.current_question
        if not question_id:
            return
        marked = question_id in self.review.follow_ups
        self.apply([Change(ChangeKind.FOLLOW_UP, question_id, not marked)])
        self.notify("Follow-up cleared." if marked else "Marked for follow-up (F6 finds it).")
