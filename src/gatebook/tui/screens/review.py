"""The review screen: sections, the current section's questions, the live risk panel.

The screen shows one `ReviewSession` (tui/session.py) and never owns its data: a
field hands each readable answer straight to the session, the session
re-evaluates and calls back `_session_changed`, which refreshes only what
changed, in the same frame. The saver writes off the event loop and reports
through `SaveReported` messages.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Header, Input, OptionList, SelectionList, Static

from gatebook.collector import hold_open_review, release_open_review
from gatebook.engine import Evaluation
from gatebook.engine.ask import ask_panel
from gatebook.engine.interview import NextQuestion
from gatebook.questionnaire.models import Question, Questionnaire
from gatebook.store import Change, Review, StoreError
from gatebook.store.history import touched_keys
from gatebook.store.recovery import Recovery
from gatebook.terminal import terminal_safe
from gatebook.tui.commands import QuestionCommands
from gatebook.tui.key_order import KeysMayGo
from gatebook.tui.saver import FLUSH_TIMEOUT_S, Saver
from gatebook.tui.screens import review_marks as marks
from gatebook.tui.screens.base import GatebookScreen
from gatebook.tui.screens.modals import Confirm
from gatebook.tui.screens.review_keys import REVIEW_BINDINGS
from gatebook.tui.screens.summary import SummaryScreen
from gatebook.tui.session import ReviewSession, SaveReported, SessionChanged, SharedReported
from gatebook.tui.widgets.answer_input import moves_on
from gatebook.tui.widgets.footer import Footer
from gatebook.tui.widgets.help_text import HelpText
from gatebook.tui.widgets.live_panel import LivePanel, summary_line
from gatebook.tui.widgets.panel_text import PanelText
from gatebook.tui.widgets.question_field import QuestionField
from gatebook.tui.widgets.review_form import ReviewForm, next_after
from gatebook.tui.widgets.section_list import SectionList

WIDE = 120


class ReviewScreen(GatebookScreen):
    COMMANDS = {QuestionCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE, "-wide")]
    BINDINGS = REVIEW_BINDINGS
    AUTO_FOCUS = ""
    """The screen puts the focus on its question itself (once the page is mounted).
    Textual's default focused the first focusable widget at compose, the section list,
    which the `-narrow` breakpoint hides at 80 columns a moment later: the focus went
    list -> nothing -> question, and a picture taken in between had no focus bar."""

    saved_text: reactive[str] = reactive("", init=False)
    """What the indicator beside the section title says: `saved ✓` or why not."""

    def __init__(self, session: ReviewSession) -> None:
        super().__init__()
        self.session = session
        # the widgets a keystroke updates, kept at hand (a query per key costs)
        self._form = ReviewForm(id="form")
        self._panel = LivePanel(session.questionnaire, id="live-panel")
        self._summary_bar = PanelText(id="summary-bar")
        self.section_index = 0
        self._top: NextQuestion | None = None
        self._arriving = True
        """Until a question first has the focus."""

    @property
    def arriving(self) -> bool:
        """Until a question first has the focus, and while one is about to take it (its
        section or page is mounting): keys typed meanwhile wait (tui/key_order.py)."""
        return self._arriving or self._form.focus_pending

    @property
    def result(self) -> Evaluation:
        return self.session.result

    @property
    def current_question(self) -> str | None:
        """The question in view: the session's position (saved when the review closes)."""
        return self.session.position

    @property
    def review(self) -> Review:
        return self.session.review

    @property
    def questionnaire(self) -> Questionnaire:
        return self.session.questionnaire

    def apply(self, changes: list[Change]) -> None:
        """Apply changes through the session (the panel follows in the same frame)."""
        self.session.apply(changes)

    @property
    def saver(self) -> Saver | None:
        return self.session.saver

    # ---- layout -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="review-body"):
            yield SectionList(self.questionnaire, id="sections")
            with Vertical(id="form-area"):
                with Horizontal(id="section-bar"):
                    yield Static(id="section-title")
                    yield Static(id="saved-indicator")
                yield self._form
                yield HelpText(id="help-text")
            yield self._panel
        yield self._summary_bar
        yield Footer()

    @property
    def form(self) -> ReviewForm:
        return self._form

    def on_mount(self) -> None:
        self.title = terminal_safe(self.review.title)
        self.sub_title = terminal_safe(self.session.header_line)
        self.session.listen(self._session_changed)
        self.session.start_saving(self)
        self.form.current = lambda: (self.review, self.result)
        start = 0
        if self.current_question:
            section = self.questionnaire.section_of(self.current_question)
            if section is not None:
                start = self.questionnaire.sections.index(section)
        self.show_section(start, focus=self.current_question)
        self._refresh_panel()
        self.refresh_ask()
        self._offer_recovery()
        self.call_after_refresh(hold_open_review)  # gatebook/collector.py

    def on_unmount(self) -> None:
        release_open_review()
        self.session.forget(self._session_changed)
        self.close_saver()

    def flush(self, timeout: float = FLUSH_TIMEOUT_S) -> bool:
        return self.session.flush(timeout)

    @property
    def has_unsaved(self) -> bool:
        return self.session.has_unsaved

    def close_saver(self) -> Path | None:
        """Write everything pending; what cannot be written goes to a recovery file."""
        return self.gb.close_session(self.session)

    def _offer_recovery(self) -> None:
        """Answers that could not be saved last time: offer to apply them now."""
        recovery = self.session.pending_recovery()
        if recovery is not None:
            self.app.push_screen(Confirm(recovery.question()), partial(self._recover, recovery))

    def _recover(self, recovery: Recovery, apply: bool | None) -> None:
        if not apply:
            self.session.set_aside(recovery)
            self.notify(f"Recovery set aside in {recovery.path.parent}.")
            return
        self.session.restore(recovery)
        for key in {c.key for c in recovery.changes}:
            self.form.show_stored(self.review, key)
        self.notify(f"Restored {len(recovery.changes)} unsaved change(s).")

    # ---- sections and fields --------------------------------------------------------

    def show_section(self, index: int, focus: str | None = None, from_below: bool = False) -> None:
        index = max(0, min(index, len(self.questionnaire.sections) - 1))
        self.section_index = index
        section = self.questionnaire.sections[index]
        self.form.show(section, self.review, self.result, self.session.answer, focus=focus)
        self._show_section_title()
        self.call_after_refresh(self.form.show_warnings, self.result)
        self._refresh_section_list()
        target = focus if focus and section.questions else None
        if target is None:
            visible = [q.id for q in section.questions if q.id in self.result.visible]
            target = visible[0] if visible else None
        if target:
            self.form.focus_question(target, from_below)  # once its page is mounted
        elif self._arriving:  # nothing to focus: keys typed meanwhile go to the screen
            self._arriving = False
            self.app.post_message(KeysMayGo())

    def _show_section_title(self) -> None:
        section = self.questionnaire.sections[self.section_index]
        total = len(self.questionnaire.sections)
        page = self.form.page_label()
        self.query_one("#section-title", Static).update(
            Content(
                f"Section {self.section_index + 1}/{total}: {section.title}"
                + (f" ({page})" if page else "")
                + "   (pgup/pgdn)"
            )
        )

    def _refresh_section_list(self) -> None:
        self.query_one("#sections", SectionList).show_progress(
            self.review, self.result, self.section_index
        )

    def field(self, question_id: str) -> QuestionField | None:
        return self.form.field(question_id)

    def goto(self, question_id: str) -> None:
        section = self.questionnaire.section_of(question_id)
        if section is None:
            return
        index = self.questionnaire.sections.index(section)
        if index != self.section_index:
            self.show_section(index, focus=question_id)
        else:
            self.form.focus_question(question_id)  # mounts its page when needed
            self.call_after_refresh(self._show_section_title)

    @on(OptionList.OptionSelected, "#sections")
    def _section_chosen(self, event: OptionList.OptionSelected) -> None:
        self.show_section(event.option_index)

    @on(QuestionField.Focused)
    def _field_focused(self, event: QuestionField.Focused) -> None:
        self._arriving = False
        if event.question_id != self.session.position:
            self._panel.release_heights()
            self.form.release_heights()
        self.session.position = event.question_id
        self._show_help(event.field.question)
        self.refresh_ask()

    @on(SelectionList.SelectionHighlighted)
    def _option_highlighted(self, event: SelectionList.SelectionHighlighted[str]) -> None:
        """Beside a choice: its own help and link (an AWS lens's helpful resource)."""
        field = next(
            (a for a in event.selection_list.ancestors if isinstance(a, QuestionField)), None
        )
        if field is not None:
            self._show_help(field.question, str(event.selection.value))

    def _show_help(self, question: Question, option_value: str | None = None) -> None:
        self.query_one("#help-text", HelpText).show(question, self.review, option_value)

    # ---- what the session says changed ----------------------------------------------

    def _refresh_panel(self) -> None:
        self._panel.show(self.result)
        self._summary_bar.set_text(summary_line(self.result) + "   F9 risk panel")

    def _session_changed(self, change: SessionChanged) -> None:
        self._refresh_panel()
        settled = change.settled_changed or change.visibility_changed
        if settled:  # a keystroke inside an answer already given moves neither
            self.refresh_ask()
            self._refresh_section_list()
        if change.visibility_changed:
            self.form.show_visibility(self.result)
        self.form.show_warnings(self.result)
        for key in change.keys:
            self.form.show_marks(self.review, key)

    def watch_saved_text(self, text: str) -> None:
        self.query_one("#saved-indicator", Static).update(Content(text))

    @on(SaveReported)
    def _saved(self, event: SaveReported) -> None:
        if event.error:
            self.saved_text = f"NOT SAVED: {event.error} (ctrl+s retries)"
            self.notify(
                f"not saved: {event.error}. Your answers are kept; ctrl+s retries.",
                title="Not saved",
                severity="error",
                timeout=10,
            )
        elif not self.session.has_unsaved:
            self.saved_text = "saved ✓"

    @on(SharedReported)
    def _shared(self, event: SharedReported) -> None:
        """A shared answer reached the engagement's other members (or a signed one kept
        its own value): say so where the consultant looks."""
        self.notify("\n".join(event.lines), title="Shared answer", timeout=8)

    # ---- navigation actions ---------------------------------------------------------

    def _step(self, delta: int) -> None:
        fields = self.form.visible_fields()
        if not fields:
            return
        ids = [f.question.id for f in fields]
        current = ids.index(self.current_question) if self.current_question in ids else -1
        target = current + delta
        if 0 <= target < len(fields):  # (a page still mounting: once it is there)
            self.form.focus_question(fields[target].question.id, from_below=delta < 0)
        elif self.form.turn_page(1 if target >= len(fields) else -1):
            self._show_section_title()
            edge = self.form.visible_fields()  # the new page's, focused once mounted
            if edge:
                first = target >= len(fields)
                self.form.focus_question(edge[0 if first else -1].question.id, not first)
        elif target >= len(fields):
            self.action_next_section()
        elif self.section_index > 0:  # back from a section's first: the previous one's last
            self._show_section_from_below(self.section_index - 1)

    def action_previous_question(self) -> None:
        self._step(-1)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`step` (tab, enter, up, down) only from a question's editor, and up/down only
        past its edge; otherwise the key is the focused widget's (tui/widgets/answer_input.py)."""
        return action != "step" or moves_on(self.focused, parameters)

    def action_step(self, step: int, kind: str) -> None:
        if step > 0:
            self.action_next_question()
        else:
            self._step(-1)

    def _show_section_from_below(self, index: int) -> None:
        section = self.questionnaire.sections[index]
        shown = [q.id for q in section.questions if q.id in self.result.visible]
        self.show_section(index, focus=shown[-1] if shown else None, from_below=True)

    @property
    def panel(self) -> LivePanel:
        return self._panel

    def action_next_section(self) -> None:
        if self.panel.has_focus:  # page keys scroll the panel while it has focus
            self.panel.scroll_page_down()
        elif self.section_index + 1 < len(self.questionnaire.sections):
            self.show_section(self.section_index + 1)

    def action_previous_section(self) -> None:
        if self.panel.has_focus:
            self.panel.scroll_page_up()
        elif self.section_index > 0:
            self.show_section(self.section_index - 1)

    def action_next_unanswered(self) -> None:
        review, visible = self.review, self.result.visible
        found = next_after(
            self.questionnaire,
            self.current_question,
            lambda q: (
                q.id in visible and q.id not in review.answers and q.id not in review.not_applicable
            ),
        )
        if found is None:
            self.notify("Every visible question is answered or marked N/A.")
        else:
            self.goto(found)

    def action_next_follow_up(self) -> None:
        found = next_after(
            self.questionnaire, self.current_question, lambda q: q.id in self.review.follow_ups
        )
        if found is None:
            self.notify("No follow-ups marked (F4 marks one).")
        else:
            self.goto(found)

    def action_undo(self) -> None:
        try:
            entry = self.session.undo()
        except StoreError as error:
            self.notify(str(error))
            return
        if entry is None:
            self.notify("Nothing to undo.")
            return
        for key in touched_keys(entry.kind, entry.key, entry.new):
            self.form.show_stored(self.review, key)  # and its marks
        question = self.questionnaire.question(entry.key)
        named = f"{question.prompt} [{entry.key}]" if question is not None else entry.key
        self.notify(f"Undid {entry.kind.replace('_', ' ')} on {named}.")

    def action_save_now(self) -> None:
        if self.session.save_now():
            self.saved_text = "saved ✓"
            self.notify("Saved.", timeout=2)

    def action_leave(self) -> None:
        """Back home; with answers that cannot be saved, ask first (they go to recovery)."""
        self.gb.confirm_leaving([self.session], "Leave", self.app.pop_screen)

    def action_toggle_panel(self) -> None:
        """At 80 columns the panel replaces the form; focus follows, so it scrolls."""
        self.toggle_class("-panel-open")
        if self.has_class("-panel-open"):
            self.panel.focus()
        elif self.current_question:
            self.form.focus_question(self.current_question)

    def action_focus_panel(self) -> None:
        if self.panel.has_focus:
            self.remove_class("-panel-open")
            if self.current_question:
                self.form.focus_question(self.current_question)
            return
        if self.has_class("-narrow"):
            self.add_class("-panel-open")
        self.panel.focus()

    def action_summary(self) -> None:
        self.app.push_screen(SummaryScreen(self.session))

    # ---- the interview assistant: what is undecided, what to ask next -------------

    def refresh_ask(self) -> None:
        """Rank now, in the frame the answer lands in (engine/ask.py: cheap enough);
        a second frame would repaint the panel twice."""
        if not self.is_mounted:
            return
        review = self.review
        panel = ask_panel(
            self.questionnaire,
            self.result,
            review.answers,
            review.not_applicable,
            self.current_question,
            guided=review.guided,
        )
        self._top = panel.top
        self._panel.show_ask(panel.text)

    def action_goto_next(self) -> None:
        """ctrl+g: the question that settles the most risk now."""
        self.refresh_ask()
        if self._top is None:
            self.notify("Nothing left to ask: every question shown is answered or N/A.")
            return
        self.goto(self._top.question)

    def action_toggle_guided(self) -> None:
        """ctrl+t: guided mode on or off, remembered for this review."""
        guided = not self.review.guided
        try:
            self.session.set_guided(guided)
        except (StoreError, OSError) as error:
            self.notify(f"Guided mode not remembered: {error}", severity="warning")
        self.notify(
            "Guided mode: moving on goes to what to ask next."
            if guided
            else "Guided mode off: moving on goes to the next question."
        )
        self.refresh_ask()

    def action_next_question(self) -> None:
        """Down / enter: the next question, or in guided mode after an answer, the top
        of `next`."""
        current = self.current_question
        if self.review.guided and current and current in self.review.answers:
            self.refresh_ask()
            if self._top is not None:
                self.goto(self._top.question)
                return
        self._step(1)

    @on(Input.Submitted, "#form Input")
    def _text_submitted(self) -> None:
        """Enter in a text field moves on, as it does in a choice."""
        self.action_next_question()

    def action_settle(self, take: str) -> None:
        """F11 / F12: settle the merge conflict on the answer in view."""
        question_id = self.current_question or ""  # none in view: no conflict
        if marks.settle_conflict(self.app, self.session, question_id, take):
            self.form.show_stored(self.review, question_id)

    def action_toggle_changes(self) -> None:
        """F7: mark the answers changed since the last milestone (again: off)."""
        if self.form.since is not None:
            self.form.since = None
            self.form.show_all_marks(self.review)
            self.notify("Changes since the milestone: hidden.", timeout=2)
            return
        since = marks.last_milestone(self.app, self.session)
        if since is not None:
            self.form.since = since
            self.form.show_all_marks(self.review)

    # ---- marks and records (tui/screens/review_marks.py) ----------------------------

    def action_note(self) -> None:
        if self.current_question:
            marks.ask_note(self.app, self.session, self.current_question)

    def action_not_applicable(self) -> None:
        if self.current_question:
            marks.toggle_not_applicable(self.app, self.session, self.current_question)

    def action_na_section(self) -> None:
        marks.toggle_section_na(self.app, self.session, self.section_index)

    def action_sessions(self) -> None:
        marks.record_meeting(self.app, self.session)

    def action_follow_up(self) -> None:
        if self.current_question:
            marks.toggle_follow_up(self.app, self.session, self.current_question)
