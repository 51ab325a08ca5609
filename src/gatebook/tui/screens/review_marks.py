"""Marks and records on the open review: a note, N/A (a question's or a whole
section's), a follow-up, the session dialog.

Plain helpers, not a screen: each asks what it needs in a dialog and applies the
result through the session, which the review screen (and any summary) follows.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.app import App

from gatebook.store import Change, ChangeKind, StoreError
from gatebook.store.records import section_na_change
from gatebook.tui.screens.modals import TextPrompt
from gatebook.tui.screens.records import MeetingDialog
from gatebook.tui.widgets.review_form import SinceMilestone

if TYPE_CHECKING:
    from gatebook.tui.session import ReviewSession


def ask_note(app: App[object], session: ReviewSession, question_id: str) -> None:
    def done(text: str | None) -> None:
        if text is not None:
            session.apply([Change(ChangeKind.NOTE, question_id, text)])

    note = session.review.notes.get(question_id, "")
    app.push_screen(TextPrompt("Note on this question", note), done)


def toggle_not_applicable(app: App[object], session: ReviewSession, question_id: str) -> None:
    """Mark the question not applicable (asking why), or clear the mark."""
    if question_id in session.review.not_applicable:
        session.apply([Change(ChangeKind.NOT_APPLICABLE, question_id, None)])
        app.notify("Not-applicable mark removed.")
        return

    def done(reason: str | None) -> None:
        if reason is not None:
            session.apply(
                [Change(ChangeKind.NOT_APPLICABLE, question_id, reason or "not applicable")]
            )

    app.push_screen(TextPrompt("Not applicable: why?", "", "reason"), done)


def toggle_section_na(app: App[object], session: ReviewSession, section_index: int) -> None:
    """Mark the whole section not applicable with one reason (again: clear it)."""
    questionnaire, review = session.questionnaire, session.review
    section = questionnaire.sections[section_index]
    if all(q.id in review.not_applicable for q in section.questions):
        session.apply([section_na_change(questionnaire, section.id, None)])
        app.notify(f"{section.title}: not-applicable marks removed.")
        return

    def done(reason: str | None) -> None:
        if reason is not None:
            session.apply([section_na_change(questionnaire, section.id, reason or "n/a")])

    prompt = f"Whole section not applicable: {section.title}. Why?"
    app.push_screen(TextPrompt(prompt, "", "reason"), done)


def record_meeting(app: App[object], session: ReviewSession) -> None:
    """Who is on the call today (a new review opens with it)."""

    def done(changes: list[Change] | None) -> None:
        if changes:
            session.apply(changes)
            app.notify("Session recorded.", timeout=2)

    app.push_screen(MeetingDialog(session), done)


def toggle_follow_up(app: App[object], session: ReviewSession, question_id: str) -> None:
    marked = question_id in session.review.follow_ups
    session.apply([Change(ChangeKind.FOLLOW_UP, question_id, not marked)])
    app.notify("Follow-up cleared." if marked else "Marked for follow-up (F6 finds it).")


NO_CONFLICT = (
    "No merge conflict on this answer: one in conflict says ⚠ merge conflict under it, "
    "and home lists its review as conflicts N (gatebook conflicts lists them all)."
)
"""F11/F12 away from a conflict: where conflicts show on screen, then the command."""


def settle_conflict(app: App[object], session: ReviewSession, question_id: str, take: str) -> bool:
    """F11 / F12: keep ours or take theirs for the answer's merge conflict; whether
    it was settled (the screen then shows the stored answer)."""
    from gatebook.store.records import RecordProblem

    field = f"answers.{question_id}"
    if all(c.field != field for c in session.review.conflicts):
        app.notify(NO_CONFLICT)
        return False
    try:
        session.settle(field, take)
    except (RecordProblem, StoreError) as error:
        app.notify(str(error), severity="error")
        return False
    app.notify(f"Conflict settled: {'ours kept' if take == 'ours' else 'theirs taken'}.")
    return True


def last_milestone(app: App[object], session: ReviewSession) -> SinceMilestone | None:
    """The review's last milestone, for the form's "changed since" marks (None, and a
    word why, when there is none)."""
    from gatebook.milestone.store import MilestoneStore

    last = MilestoneStore(session.store).latest(session.review.id)
    if last is None:
        offer_milestone(app, session)
        return None
    content = last["content"]
    app.notify(f"Marked: answers changed since milestone {last['name']} (F7 hides).")
    return SinceMilestone(
        str(last["name"]), dict(content.get("answers", {})), dict(content.get("not_applicable", {}))
    )


def offer_milestone(app: App[object], session: ReviewSession) -> None:
    """No milestone yet: take one of this review now, named today's date unless
    renamed (a review on its own has no other screen that takes one; the engagement
    screen's `m` takes one of every member). Written off the event loop."""
    from gatebook.engagement.lifecycle import today_of
    from gatebook.milestone.store import MilestoneProblem, MilestoneStore, check_name

    def take(name: str) -> None:
        try:
            check_name(name)
            MilestoneStore(session.store).take(session.review, session.questionnaire, name)
        except (MilestoneProblem, StoreError) as error:
            app.call_from_thread(app.notify, str(error), severity="error", timeout=8)
            return
        app.call_from_thread(
            app.notify, f"Milestone {name} taken: F7 now marks the answers changed since it."
        )

    def named(text: str | None) -> None:
        if text and text.strip():
            app.run_worker(
                partial(take, text.strip()), thread=True, group="milestone", exit_on_error=False
            )

    title = (
        "No milestone yet. Take one of this review now (m on an engagement's screen "
        "takes one of every review): name"
    )
    app.push_screen(TextPrompt(title, today_of(session.store), "name"), named)
