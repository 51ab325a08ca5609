"""The review screen: sections, the current section's questions, the live risk panel.

Only the current section is mounted (widget count is keystroke latency). Every
accepted answer is evaluated at once for the panel and queued to the saver, which
writes it off the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import Hit, Hits, Provider
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Resize
from textual.widgets import Footer, Header, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from gatebook.engine import Evaluation, evaluate
from gatebook.questionnaire.models import Question, Questionnaire, Section
from gatebook.store import Change, ChangeKind, Review, StoreError, put_value
from gatebook.store.recovery import discard_recovery, read_recovery, write_recovery
from gatebook.tui.saver import FLUSH_TIMEOUT_S, Saver
from gatebook.tui.screens.base import GatebookScreen
from gatebook.tui.screens.modals import Confirm, RowEditor, TextPrompt
from gatebook.tui.widgets.live_panel import LivePanel, summary_line
from gatebook.tui.widgets.question_field import QuestionField
from gatebook.tui.widgets.text import update_text

WIDE = 120


class QuestionCommands(Provider):
    """Command palette: go to any question by typing part of its text."""

    async def search(self, query: str) -> Hits:
        screen = self.screen
        if not isinstance(screen, ReviewScreen):
            return
        matcher = self.matcher(query)
        for section in screen.questionnaire.sections:
            for question in section.questions:
                text = f"{question.prompt} ({section.title})"
                score = max(matcher.match(text), matcher.match(question.id))
                if score > 0:
                    yield Hit(
                        score,
                        matcher.highlight(text),
                        partial(screen.goto, question.id),
                        help=f"Go to question {question.id}",
                    )


def _changes(count: int) -> str:
    return f"{count} change{'' if count == 1 else 's'} {'was' if count == 1 else 'were'}"


class ReviewScreen(GatebookScreen):
    COMMANDS = {QuestionCommands}
    BINDINGS = [
        Binding("escape", "leave", "Home", id="review.home"),
        Binding("down", "next_question", "Next question", id="review.next", show=False),
        Binding("up", "previous_question", "Previous question", id="review.previous", show=False),
        Binding(
            "pagedown", "next_section", "Next section", id="review.next_section", priority=True
        ),
        Binding(
            "pageup",
            "previous_section",
            "Prev section",
            id="review.previous_section",
            priority=True,
            show=False,
        ),
        Binding(
            "ctrl+n,f5",
            "next_unanswered",
            "Next unanswered",
            id="review.next_unanswered",
            priority=True,
        ),
        Binding(
            "f6",
            "next_follow_up",
            "Next follow-up",
            id="review.next_follow_up",
            priority=True,
            show=False,
        ),
        Binding("f2", "note", "Note", id="review.note", priority=True),
        Binding("f3", "not_applicable", "N/A", id="review.na", priority=True),
        Binding("f4", "follow_up", "Follow-up", id="review.follow_up", priority=True),
        Binding("ctrl+z", "undo", "Undo", id="review.undo", priority=True),
        Binding("f8", "summary", "Summary", id="review.summary", priority=True),
        Binding(
            "ctrl+s",
            "save_now",
            "Save now",
            id="review.save",
            priority=True,
            tooltip="Write every pending answer now; after a failed save, retry",
        ),
        Binding("f9", "toggle_panel", "Risk panel", id="review.panel", priority=True),
    ]

    def __init__(self, review: Review, questionnaire: Questionnaire) -> None:
        super().__init__()
        self.review = review
        self.questionnaire = questionnaire
        self.section_index = 0
        self.current_question: str | None = review.position
        self.result: Evaluation = self._evaluate()
        self.saver: Saver | None = None
        self._indicator_text = ""
        self._summary_bar = ""
        self._section_labels: list[Content] = []

    # ---- layout -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="review-body"):
            yield OptionList(id="sections")
            with Vertical(id="form-area"):
                with Horizontal(id="section-bar"):
                    yield Static(id="section-title")
                    yield Static(id="saved-indicator")
                yield VerticalScroll(id="form")
                yield Static(id="help-text")
            yield LivePanel(self.questionnaire, id="live-panel")
        yield Static(id="summary-bar")
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.review.title
        self.sub_title = self.questionnaire.title
        self._loop = asyncio.get_running_loop()
        self.saver = Saver(self.gb.store, self.review.id, self._saved_from_thread)
        start = 0
        if self.current_question:
            section = self.questionnaire.section_of(self.current_question)
            if section is not None:
                start = self.questionnaire.sections.index(section)
        self._apply_width(self.app.size.width)
        self.show_section(start, focus=self.current_question)
        self._refresh_panel()
        self._offer_recovery()

    def on_unmount(self) -> None:
        self.close_saver()

    def flush(self, timeout: float = FLUSH_TIMEOUT_S) -> bool:
        """Wait (bounded) until every accepted change is on disk (before export or
        sign-off); False when some could not be saved: the indicator says why."""
        if self.saver is not None:
            return self.saver.flush(timeout)
        return True

    @property
    def has_unsaved(self) -> bool:
        return self.saver is not None and self.saver.has_unsaved

    def close_saver(self) -> Path | None:
        """Write everything pending and remember where the person was; what cannot be
        written goes to a recovery file, whose path is returned."""
        if self.saver is None:
            return None
        unsaved = self.saver.close()
        self.saver = None
        if unsaved:
            return write_recovery(self.gb.store.home, self.review.id, unsaved)
        if self.current_question:
            with contextlib.suppress(StoreError, OSError):
                self.gb.store.set_position(self.review.id, self.current_question)
        return None

    def _offer_recovery(self) -> None:
        """Answers that could not be saved last time: offer to apply them now."""
        recovery = read_recovery(self.gb.store.home, self.review.id)
        if recovery is None:
            return
        keys = sorted({c.key for c in recovery.changes})
        shown = ", ".join(keys[:6]) + (" ..." if len(keys) > 6 else "")
        them = "it" if len(recovery.changes) == 1 else "them"

        def done(apply: bool | None) -> None:
            if apply:
                self.apply(recovery.changes)
                for key in keys:
                    field = self.field(key)
                    if field is not None:
                        field.show_value(self.review.answers.get(key))
                        self._refresh_marks(key)
                discard_recovery(recovery)
                self.notify(f"Restored: {_changes(len(recovery.changes))}.")
            else:
                discard_recovery(recovery, keep_copy=True)
                self.notify(f"Recovery set aside in {recovery.path.parent}.")

        self.app.push_screen(
            Confirm(
                f"{_changes(len(recovery.changes))} not saved when gatebook stopped "
                f"({recovery.time}): {shown}. Restore {them}?"
            ),
            done,
        )

    def action_save_now(self) -> None:
        if self.saver is None:
            return
        if self.saver.flush():
            self._set_indicator("saved ✓")
            self.notify("Saved.", timeout=2)

    def action_leave(self) -> None:
        """Back home; with answers that cannot be saved, ask first (they go to recovery)."""
        if not self.has_unsaved or self.flush(2.0):
            self.app.pop_screen()
            return
        reason = self.saver.error if self.saver is not None else None

        def done(leave: bool | None) -> None:
            if leave:
                self.app.pop_screen()

        self.app.push_screen(
            Confirm(
                f"Some answers are not saved ({reason or 'still saving'}). Leave anyway? "
                "They are kept in a recovery file that opening the review offers back."
            ),
            done,
        )

    def on_resize(self, event: Resize) -> None:
        self._apply_width(event.size.width)

    def _apply_width(self, width: int) -> None:
        self.set_class(width < WIDE, "-narrow")

    # ---- sections and fields --------------------------------------------------------

    def _section_label(self, section: Section) -> Content:
        visible = [q for q in section.questions if q.id in self.result.visible]
        done = sum(1 for q in visible if self._answered(q.id))
        return Content(f"{section.title}  {done}/{len(visible)}")

    def _answered(self, question_id: str) -> bool:
        return question_id in self.review.answers or question_id in self.review.not_applicable

    def _refresh_section_list(self) -> None:
        """Re-label only the sections whose progress changed (a keystroke changes one)."""
        sections = self.query_one("#sections", OptionList)
        labels = [self._section_label(s) for s in self.questionnaire.sections]
        if len(self._section_labels) != len(labels) or sections.option_count != len(labels):
            sections.clear_options()
            sections.add_options(
                Option(label, id=s.id)
                for label, s in zip(labels, self.questionnaire.sections, strict=True)
            )
            sections.highlighted = self.section_index
        else:
            for index, (old, new) in enumerate(zip(self._section_labels, labels, strict=True)):
                if old != new:
                    sections.replace_option_prompt_at_index(index, new)
        self._section_labels = labels

    def _marks(self, question_id: str) -> str:
        marks = []
        if question_id in self.review.follow_ups:
            marks.append("⚑ follow-up")
        if question_id in self.review.notes:
            marks.append("✎ note")
        if question_id in self.review.not_applicable:
            marks.append(f"N/A: {self.review.not_applicable[question_id]}")
        return "  ".join(marks)

    def show_section(self, index: int, focus: str | None = None) -> None:
        index = max(0, min(index, len(self.questionnaire.sections) - 1))
        self.section_index = index
        section = self.questionnaire.sections[index]
        total = len(self.questionnaire.sections)
        self.query_one("#section-title", Static).update(
            Content(f"Section {index + 1}/{total}: {section.title}   (pgup/pgdn)")
        )
        form = self.query_one("#form", VerticalScroll)
        form.remove_children()
        fields = []
        for question in section.questions:
            field = QuestionField(
                question, self.review.answers.get(question.id), marks=self._marks(question.id)
            )
            field.set_class(question.id not in self.result.visible, "-hidden")
            field.set_class(question.id in self.review.not_applicable, "-na")
            fields.append(field)
        form.mount_all(fields)
        self._refresh_section_list()
        target = focus if focus and section.questions else None
        if target is None:
            visible = [q.id for q in section.questions if q.id in self.result.visible]
            target = visible[0] if visible else None
        if target:
            self.call_after_refresh(self._focus_question, target)

    def fields(self) -> list[QuestionField]:
        return list(self.query(QuestionField))

    def field(self, question_id: str) -> QuestionField | None:
        found = self.query(f"#field-{question_id}")
        return found.first(QuestionField) if found else None

    def _focus_question(self, question_id: str) -> None:
        field = self.field(question_id)
        if field is not None:
            field.focus_editor()
            field.scroll_visible()

    def goto(self, question_id: str) -> None:
        section = self.questionnaire.section_of(question_id)
        if section is None:
            return
        index = self.questionnaire.sections.index(section)
        if index != self.section_index:
            self.show_section(index, focus=question_id)
        else:
            self._focus_question(question_id)

    @on(OptionList.OptionSelected, "#sections")
    def _section_chosen(self, event: OptionList.OptionSelected) -> None:
        self.show_section(event.option_index)

    @on(QuestionField.Focused)
    def _field_focused(self, event: QuestionField.Focused) -> None:
        self.current_question = event.question_id
        self._show_help(event.field.question)

    @on(SelectionList.SelectionHighlighted)
    def _option_highlighted(self, event: SelectionList.SelectionHighlighted[str]) -> None:
        """Beside a choice: its own help and link (an AWS lens's helpful resource)."""
        field = next(
            (a for a in event.selection_list.ancestors if isinstance(a, QuestionField)), None
        )
        if field is not None:
            self._show_help(field.question, str(event.selection.value))

    def _show_help(self, question: Question, option_value: str | None = None) -> None:
        help_text = question.help or ""
        option = next((o for o in question.options if o.value == option_value), None)
        if option is not None and (option.help or option.url):
            help_text += f"\n\n▸ {option.label}: {option.help}"
            if option.url:
                help_text += f"\n  {option.url}"
        if question.id in self.review.notes:
            help_text += f"\nNote: {self.review.notes[question.id]}"
        self.query_one("#help-text", Static).update(Content(help_text.strip()))

    # ---- answers ------------------------------------------------------------------

    def _evaluate(self) -> Evaluation:
        return evaluate(self.questionnaire, self.review.answers, self.review.not_applicable)

    def _refresh_panel(self) -> None:
        self.query_one("#live-panel", LivePanel).show(self.result)
        bar = summary_line(self.result) + "   F9 risk panel"
        if bar != self._summary_bar:
            update_text(self.query_one("#summary-bar", Static), bar, self._summary_bar or None)
            self._summary_bar = bar

    def _after_change(self) -> None:
        before = self.result.visible
        self.result = self._evaluate()
        self._refresh_panel()
        if self.result.visible != before:
            for field in self.fields():
                field.set_class(field.question.id not in self.result.visible, "-hidden")
        self._refresh_section_list()

    def apply(self, changes: list[Change]) -> None:
        """Apply changes in memory, re-evaluate, and queue them for saving."""
        for change in changes:
            put_value(self.review, change.kind, change.key, change.new)
        if self.saver is not None:
            self.saver.put(changes)
        self._after_change()

    @on(QuestionField.Answered)
    def _answered_field(self, event: QuestionField.Answered) -> None:
        self.apply([Change(ChangeKind.ANSWER, event.question_id, event.value)])

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

    def _set_indicator(self, text: str) -> None:
        """Quiet: touched only when the text changes (no "saving…" flash per keystroke)."""
        if self._indicator_text != text:
            self._indicator_text = text
            self.query_one("#saved-indicator", Static).update(Content(text))

    def _saved_from_thread(self, error: str | None) -> None:
        """Tell the screen without waiting for it: the main thread may itself be
        waiting in `flush()` for this very save (export, sign-off, undo, quit)."""
        try:
            self._loop.call_soon_threadsafe(self._saved, error)
        except RuntimeError:  # the loop has closed: the app is gone
            return

    def _saved(self, error: str | None) -> None:
        if not self.is_attached:  # saved after the screen closed: nothing to show
            return
        if error:
            self._set_indicator(f"NOT SAVED: {error} (ctrl+s retries)")
            self.notify(
                f"not saved: {error}. Your answers are kept; ctrl+s retries.",
                title="Not saved",
                severity="error",
                timeout=10,
            )
        elif self.saver is None or not self.saver.has_unsaved:
            self._set_indicator("saved ✓")

    # ---- navigation actions ---------------------------------------------------------

    def _visible_fields(self) -> list[QuestionField]:
        return [f for f in self.fields() if not f.has_class("-hidden")]

    def _step(self, delta: int) -> None:
        fields = self._visible_fields()
        if not fields:
            return
        ids = [f.question.id for f in fields]
        current = ids.index(self.current_question) if self.current_question in ids else -1
        target = current + delta
        if 0 <= target < len(fields):
            fields[target].focus_editor()
            fields[target].scroll_visible()
        elif target >= len(fields):
            self.action_next_section()
        elif self.section_index > 0:
            self.show_section(self.section_index - 1)

    def action_next_question(self) -> None:
        self._step(1)

    def action_previous_question(self) -> None:
        self._step(-1)

    def action_next_section(self) -> None:
        if self.section_index + 1 < len(self.questionnaire.sections):
            self.show_section(self.section_index + 1)

    def action_previous_section(self) -> None:
        if self.section_index > 0:
            self.show_section(self.section_index - 1)

    def _ordered_after_current(self) -> Iterable[Question]:
        questions = self.questionnaire.questions()
        ids = [q.id for q in questions]
        start = ids.index(self.current_question) + 1 if self.current_question in ids else 0
        return questions[start:] + questions[:start]

    def action_next_unanswered(self) -> None:
        for question in self._ordered_after_current():
            if question.id in self.result.visible and not self._answered(question.id):
                self.goto(question.id)
                return
        self.notify("Every visible question is answered or marked N/A.")

    def action_next_follow_up(self) -> None:
        for question in self._ordered_after_current():
            if question.id in self.review.follow_ups:
                self.goto(question.id)
                return
        self.notify("No follow-ups marked (F4 marks one).")

    # ---- per-question actions -------------------------------------------------------

    def _current_field(self) -> QuestionField | None:
        return self.field(self.current_question) if self.current_question else None

    def _refresh_marks(self, question_id: str) -> None:
        field = self.field(question_id)
        if field is not None:
            field.set_marks(self._marks(question_id), question_id in self.review.not_applicable)

    def action_note(self) -> None:
        question_id = self.current_question
        if not question_id:
            return

        def done(text: str | None) -> None:
            if text is not None:
                self.apply([Change(ChangeKind.NOTE, question_id, text)])
                self._refresh_marks(question_id)

        self.app.push_screen(
            TextPrompt("Note on this question", self.review.notes.get(question_id, "")), done
        )

    def action_not_applicable(self) -> None:
        question_id = self.current_question
        if not question_id:
            return
        if question_id in self.review.not_applicable:
            self.apply([Change(ChangeKind.NOT_APPLICABLE, question_id, None)])
            self._refresh_marks(question_id)
            self.notify("Not-applicable mark removed.")
            return

        def done(reason: str | None) -> None:
            if reason is not None:
                self.apply(
                    [Change(ChangeKind.NOT_APPLICABLE, question_id, reason or "not applicable")]
                )
                self._refresh_marks(question_id)

        self.app.push_screen(TextPrompt("Not applicable: why?", "", "reason"), done)

    def action_follow_up(self) -> None:
        question_id = self.current_question
        if not question_id:
            return
        marked = question_id in self.review.follow_ups
        self.apply([Change(ChangeKind.FOLLOW_UP, question_id, not marked)])
        self._refresh_marks(question_id)
        self.notify("Follow-up cleared." if marked else "Marked for follow-up (F6 finds it).")

    def action_undo(self) -> None:
        if not self.flush():
            self.notify("Undo waits until the answers are saved (ctrl+s retries).")
            return
        entry = self.gb.store.undo(self.review.id)
        if entry is None:
            self.notify("Nothing to undo.")
            return
        self.review = self.gb.store.get(self.review.id)
        self._after_change()
        field = self.field(entry.key)
        if field is not None:
            field.show_value(self.review.answers.get(entry.key))
            self._refresh_marks(entry.key)
        self.notify(f"Undid {entry.kind.replace('_', ' ')} on {entry.key}.")

    def action_toggle_panel(self) -> None:
        self.toggle_class("-panel-open")

    def action_summary(self) -> None:
        from gatebook.tui.screens.summary import SummaryScreen

        self.app.push_screen(SummaryScreen(self))
