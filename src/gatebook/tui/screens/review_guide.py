"""The review screen's interview assistant: what is undecided, what to ask next
(`ctrl+g` goes there), the probes of the question in view, and guided mode (`ctrl+t`:
moving on after an answer goes to what to ask next). Ranking is a count over the
undecided items' questions, cheap enough to run in the keystroke's own frame."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.widgets import Input

from gatebook.engine.interview import NextQuestion, next_questions, probes_for
from gatebook.store import StoreError
from gatebook.tui.screens.review_marks import ReviewMarks
from gatebook.tui.widgets.live_panel import LivePanel

MAX_TITLES = 4


class ReviewGuide(ReviewMarks):
    """Needs from the screen: `goto`, `_step` and the live panel."""

    _top: NextQuestion | None = None

    if TYPE_CHECKING:  # ReviewScreen's

        def goto(self, question_id: str) -> None: ...
        def _step(self, delta: int) -> None: ...

    def refresh_ask(self) -> None:
        """Rank now, in the frame the answer lands in: ranking counts over the undecided
        items' questions (about 0.4 ms for OQR, 1 ms for 1,000 questions), and a second
        frame would repaint the panel twice."""
        self._show_ask()

    def _show_ask(self) -> None:
        if not self.is_mounted:
            return
        session = self.session
        result = session.result
        ranked = next_questions(
            self.questionnaire,
            result,
            self.review.answers,
            self.review.not_applicable,
            limit=2,
        )
        ranked = [item for item in ranked if item.question != self.current_question][:1]
        self._top = ranked[0] if ranked else None
        undecided = result.undecided
        titles = {r.id: r.title for r in self.questionnaire.risks}
        lines = [f"Undecided: {undecided.count}" + ("  (guided)" if self.review.guided else "")]
        named = [titles.get(f, f) for f in undecided.flags]
        if named:
            more = f" +{len(named) - MAX_TITLES}" if len(named) > MAX_TITLES else ""
            lines.append("  " + "; ".join(named[:MAX_TITLES]) + more)
        if self._top is not None:
            lines.append(f"Ask next: {self._top.prompt}  (ctrl+g)")
        if self.current_question:
            probes = probes_for(self.questionnaire, result, self.current_question)
            if probes:
                lines.append("Ask the customer:")
                lines += [f"• {probe}" for probe in probes]
        self.query_one("#live-panel", LivePanel).show_ask("\n".join(lines))

    def action_goto_next(self) -> None:
        """ctrl+g: the question that settles the most risk now."""
        self._show_ask()
        if self._top is None:
            self.notify("Nothing left to ask: every question shown is answered or N/A.")
            return
        self.goto(self._top.question)

    def action_toggle_guided(self) -> None:
        """ctrl+t: guided mode on or off, remembered for this review."""
        guided = not self.review.guided
        self.review.guided = guided
        try:
            self.session.store.set_guided(self.review.id, guided)
        except (StoreError, OSError) as error:
            self.notify(f"Guided mode not remembered: {error}", severity="warning")
        self.notify(
            "Guided mode: moving on goes to what to ask next."
            if guided
            else "Guided mode off: moving on goes to the next question."
        )
        self._show_ask()

    def action_next_question(self) -> None:
        """Down / enter: the next question, or in guided mode after an answer, the top
        of `next`."""
        current = self.current_question
        if self.review.guided and current and current in self.review.answers:
            self._show_ask()
            if self._top is not None:
                self.goto(self._top.question)
                return
        self._step(1)

    @on(Input.Submitted, "#form Input")
    def _text_submitted(self) -> None:
        """Enter in a text field moves on, as it does in a choice."""
        self.action_next_question()
