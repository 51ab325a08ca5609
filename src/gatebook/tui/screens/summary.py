"""The summary: the risk register with editable rows, the escalation record, scores
against the target, gates, sessions, what is missing.

From here the plan is exported and signed off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header, Input, Static

from gatebook.engine import Evaluation
from gatebook.engine.formatting import score_text
from gatebook.engine.register import mitigated_line
from gatebook.plan.report import escalation_state, review_report
from gatebook.questionnaire.models import Questionnaire
from gatebook.store import Change, ChangeKind
from gatebook.store.model import Signoff
from gatebook.store.records import RecordProblem, checked_text, risk_changes
from gatebook.terminal import terminal_safe
from gatebook.tui.screens.outcome_dialogs import BulkOutcomeDialog, OutcomeDialog
from gatebook.tui.screens.plan import ExportScreen, SignoffDialog
from gatebook.tui.screens.records import (
    AddRiskDialog,
    BulkRiskDialog,
    EscalationDialog,
    MeetingDialog,
    RiskRowDialog,
)
from gatebook.tui.widgets.footer import Footer
from gatebook.tui.widgets.live_panel import escalation_text, gates_text, missing_text
from gatebook.tui.widgets.outcome_rows import OutcomeRows
from gatebook.tui.widgets.register_rows import RegisterRows, row_text

__all__ = ["SummaryScreen", "row_text"]

if TYPE_CHECKING:
    from gatebook.tui.session import ReviewSession, SessionChanged


class SummaryScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back to review", id="summary.back"),
        Binding("f6", "edit_risk", "Edit risk", id="summary.edit_risk", priority=True),
        Binding("f5", "add_risk", "Add risk", id="summary.add_risk", priority=True),
        Binding("f4", "escalation", "Escalation", id="summary.escalation", priority=True),
        Binding("f3", "outcomes", "Outcomes", id="summary.outcomes", priority=True),
        Binding("ctrl+o", "sessions", "Sessions", id="summary.sessions", priority=True),
        Binding("f7", "export", "Export plan", id="summary.export"),
        Binding("f10", "signoff", "Sign off", id="summary.signoff"),
    ]

    AUTO_FOCUS = "#summary-register Input"
    """Keys typed while the summary mounts land in the first mitigation (a row heading
    would take them as selection keys), until the first open row takes the focus."""

    def __init__(self, session: ReviewSession) -> None:
        super().__init__()
        self.session = session
        self.milestone = last_milestone_of(session)
        """The review's last milestone (read once): the "since" block compares with it."""
        self.shown: dict[str, str] = {}
        """The text each block shows: a keystroke in a row repaints only what changed."""
        self._focus_wanted: tuple[str | None] | None = None
        """The row to focus once the register's rebuild is done (see `on_register_rows_rebuilt`)."""
        self._outcome_wanted: str | None = None
        """The outcome to focus once the outcomes register's rebuild is done."""

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="summary"):
            yield Static(id="summary-escalation")
            yield Static(classes="summary-heading", id="summary-register-heading")
            yield RegisterRows(self.session, id="summary-register")
            if self.session.questionnaire.outcomes:
                yield Static(classes="summary-heading", id="summary-outcomes-heading")
                yield OutcomeRows(self.session, id="summary-outcomes")
            for block in BLOCKS:
                yield Static(id=block, classes="summary-block")
            yield Static(id="summary-signoffs", classes="summary-block")
        yield Footer()

    def blocks(self) -> dict[str, str]:
        """Every text block of the summary, by widget id, from the session as it is."""
        session = self.session
        result = session.result
        questionnaire = session.questionnaire
        rows = result.register
        follow_ups = [
            q.prompt for q in questionnaire.questions() if q.id in session.review.follow_ups
        ]
        shown = {
            "summary-escalation": self._escalation_banner(),
            "summary-register-heading": (
                f"Risk register ({len(rows)}) — a mitigation and a contingency for each; "
                "F6 owner, due, status (space selects rows, a all: F6 sets them together) · "
                f"F5 adds a risk\n{mitigated_line(rows)}"
                + ("" if rows else "\nNo risk flags raised and no risk added.")
            ),
            "summary-known": known_risks_text(session),
            "summary-since": since_text(self.milestone, result),
            "summary-scores": target_bars(questionnaire, result),
            "summary-gates": gates_text(questionnaire, result),
            "summary-missing": missing_text(questionnaire, result),
            "summary-sessions": sessions_text(session),
            "summary-follow-ups": "Follow-ups: " + ("; ".join(follow_ups) or "none"),
            "summary-signoffs": self.signoff_text(),
        }
        if questionnaire.outcomes:
            shown["summary-outcomes-heading"] = outcomes_heading(session)
        return shown

    def show_blocks(self) -> None:
        for block_id, text in self.blocks().items():
            if self.shown.get(block_id) == text:
                continue
            self.shown[block_id] = text
            widget = self.query_one(f"#{block_id}", Static)
            widget.update(Content(terminal_safe(text)))
            widget.display = bool(text)

    def _session_changed(self, change: SessionChanged) -> None:
        """Edits here, in a dialog or in the review reach the session; the summary
        follows what it says changed, as the review screen does."""
        self.show_blocks()
        for register in self.query(RegisterRows).results(RegisterRows):
            register.follow()

    def _escalation_banner(self) -> str:
        state = escalation_state(self.session.review, self.session.result)
        text = escalation_text(self.session.result)
        if not text:
            return ""
        record = state.record
        if record is None:
            return text + "\nNo decision recorded: F4 records it (sign-off waits for it)"
        due = " — a new reason since: decision due again (F4)" if state.due else ""
        return text + f"\nDecided {record.decision} by {record.to} on {record.date}{due}"

    def signoff_text(self) -> str:
        questionnaire = self.session.questionnaire
        report = review_report(self.session.review, questionnaire, self.session.result)
        views = report.current()
        lines = [f"Sign-off — status: {report.status}"]
        for role in questionnaire.signoff:
            view = views.get(role.id)
            if view is None:
                lines.append(f"  {role.title}: not signed{' (required)' if role.required else ''}")
            else:
                signoff = view.signoff
                void = (
                    f" — VOID (changed since: {', '.join(view.changed) or 'content'})"
                    if view.state == "void"
                    else ""
                )
                override = f" — override: {signoff.override}" if signoff.override else ""
                lines.append(
                    f"  {role.title}: {signoff.decision} by {signoff.name} at {signoff.time}"
                    f"{void}{override}"
                )
        lines.append("  F10 signs off · F7 previews and exports the plan")
        return "\n".join(lines)

    def on_mount(self) -> None:
        self.title = terminal_safe(self.session.review.title)
        self.sub_title = "Summary"
        self.show_blocks()
        self.session.listen(self._session_changed)
        self.call_after_refresh(self._focus_first_open_row)

    def on_unmount(self) -> None:
        self.session.forget(self._session_changed)

    def _focus_first_open_row(self, row_id: str | None = None) -> None:
        """Arrive where typing helps: the first row without a mitigation (else the first
        row), so nothing typed on arrival is lost. While the register is being rebuilt
        its inputs are not there yet: the focus waits for `RegisterRows.Rebuilt`."""
        register = self.query_one("#summary-register", RegisterRows)
        if register.rebuilding:
            self._focus_wanted = (row_id,)
            return
        self._focus_wanted = None
        rows = self.session.result.register
        if not rows:
            return
        target = next(
            (r for r in rows if r.id == row_id),
            next((r for r in rows if not r.mitigation.strip()), rows[0]),
        )
        found = register.query(f"#mitigation-{target.id}").results(Input)
        field = next(found, None)
        if field is None:  # never crash on a call: a row not (yet) shown keeps the focus
            return
        field.focus()
        field.cursor_position = len(field.value)

    def on_register_rows_rebuilt(self, event: RegisterRows.Rebuilt) -> None:
        if self._outcome_wanted is not None:
            self._focus_outcome(self._outcome_wanted)
        if self._focus_wanted is not None:
            self._focus_first_open_row(*self._focus_wanted)
        elif self.focused is not None:  # rows came or went above it: keep it in view
            self.call_after_refresh(self.focused.scroll_visible, animate=False)

    def _outcomes(self) -> OutcomeRows | None:
        return next(self.query(OutcomeRows).results(OutcomeRows), None)

    def _focus_outcome(self, outcome_id: str | None) -> None:
        """The outcome's heading (else the first), once its register is rebuilt."""
        outcomes = self._outcomes()
        if outcomes is None:
            return
        if outcomes.rebuilding:
            self._outcome_wanted = outcome_id or ""
            return
        self._outcome_wanted = None
        wanted = outcome_id if outcome_id in outcomes.shown else None
        target = wanted or (outcomes.shown[0] if outcomes.shown else None)
        heading = next(outcomes.query(f"#row-{target}").results(Static), None) if target else None
        if heading is not None:
            heading.focus()
            heading.scroll_visible()

    def action_outcomes(self) -> None:
        """F3: to the outcomes register, and from it back to the risks; with no outcome
        yet, straight to adding the first."""
        outcomes = self._outcomes()
        if outcomes is None:
            return
        if self._in_outcomes():
            self._focus_first_open_row()
        elif not outcomes.shown:
            self.app.push_screen(OutcomeDialog(self.session), self._outcome_recorded)
        else:
            self._focus_outcome(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """F3 only where the questionnaire keeps outcomes."""
        if action == "outcomes":
            return bool(self.session.questionnaire.outcomes)
        return True

    def _outcome_recorded(self, changes: list[Change] | None) -> None:
        if not changes:
            return
        self.session.apply(changes)
        self._outcome_wanted = changes[0].key
        self.call_after_refresh(self._focus_outcome, changes[0].key)

    def _in_outcomes(self) -> bool:
        outcomes = self._outcomes()
        focused = self.focused
        return (
            outcomes is not None
            and focused is not None
            and (focused is outcomes or outcomes in focused.ancestors)
        )

    def _edit_outcome(self, outcomes: OutcomeRows) -> None:
        if outcomes.selected:
            chosen = sorted(outcomes.selected, key=outcomes.shown.index)

            def done(changes: list[Change] | None) -> None:
                if changes is not None:
                    outcomes.clear_selection()
                self._outcome_recorded(changes)

            self.app.push_screen(BulkOutcomeDialog(self.session, chosen), done)
            return
        outcome_id = outcomes.focused_row()
        if outcome_id is None or outcome_id not in self.session.review.outcomes:
            self.notify("Move to an outcome (or select them with space) first.")
            return
        self.app.push_screen(OutcomeDialog(self.session, outcome_id), self._outcome_recorded)

    def _focused_row(self) -> str | None:
        return self.query_one("#summary-register", RegisterRows).focused_row()

    def _recorded(self, changes: list[Change] | None, row_id: str | None = None) -> None:
        if not changes:
            return
        self.session.apply(changes)  # the summary follows through `_session_changed`
        self.call_after_refresh(self._focus_first_open_row, row_id)

    def action_edit_risk(self) -> None:
        outcomes = self._outcomes()
        if outcomes is not None and self._in_outcomes():
            self._edit_outcome(outcomes)
            return
        register = self.query_one("#summary-register", RegisterRows)
        if register.selected:
            chosen = sorted(register.selected, key=register.shown.index)

            def done(changes: list[Change] | None) -> None:
                if changes is not None:
                    register.clear_selection()
                self._recorded(changes, chosen[0])

            self.app.push_screen(BulkRiskDialog(self.session, chosen), done)
            return
        row_id = self._focused_row()
        if row_id is None:
            self.notify("Move to a risk (or select rows with space) first.")
            return
        self.app.push_screen(
            RiskRowDialog(self.session, row_id), lambda c: self._recorded(c, row_id)
        )

    def action_add_risk(self) -> None:
        if self._in_outcomes():
            self.app.push_screen(OutcomeDialog(self.session), self._outcome_recorded)
            return
        self.app.push_screen(AddRiskDialog(self.session), self._recorded)

    def action_escalation(self) -> None:
        self.app.push_screen(EscalationDialog(self.session), self._recorded)

    def action_sessions(self) -> None:
        self.app.push_screen(MeetingDialog(self.session), self._recorded)

    def action_export(self) -> None:
        self.app.push_screen(ExportScreen(self.session))

    def action_signoff(self) -> None:
        if not self.session.questionnaire.signoff:
            self.notify("This questionnaire has no sign-off roles.")
            return
        user = self.session.user
        self.app.push_screen(SignoffDialog(self.session, user), self._signed)

    def _signed(self, signoff: Signoff | None) -> None:
        if signoff is None:
            return
        self.session.sign_off(signoff)
        self.notify(f"Signed off: {signoff.role} {signoff.decision} by {signoff.name}.")

    @on(Input.Changed)
    def _row_changed(self, event: Input.Changed) -> None:
        field_id = event.input.id or ""
        row_id = field_id.partition("-")[2]
        row = next((r for r in self.session.result.register if r.id == row_id), None)
        if row is not None and event.value == (
            row.mitigation if field_id.startswith("mitigation-") else row.contingency
        ):
            return  # the register shown follows the session: nothing new to record
        session = self.session
        try:
            if field_id.startswith("mitigation-"):
                row_id = field_id.removeprefix("mitigation-")
                text = checked_text(event.value, "mitigation")
                changes = [Change(ChangeKind.MITIGATION, row_id, text)]
            elif field_id.startswith("contingency-"):
                row_id = field_id.removeprefix("contingency-")
                changes = risk_changes(
                    session.review,
                    session.questionnaire,
                    session.result,
                    row_id,
                    contingency=event.value,
                )
            else:
                return
        except RecordProblem as problem:
            self.notify(str(problem), severity="warning")
            return
        self.session.apply(changes)


BLOCKS = (
    "summary-known",
    "summary-since",
    "summary-scores",
    "summary-gates",
    "summary-missing",
    "summary-sessions",
    "summary-follow-ups",
)


KNOWN_RISKS_QUESTION = "known_risks"
"""The S2D's own "Known issues and risks" table: kept, and listed beside the rows the
register carried in from earlier stages."""


def known_risks_text(session: ReviewSession) -> str:
    question = session.questionnaire.question(KNOWN_RISKS_QUESTION)
    if question is None or question.type != "table":
        return ""
    rows = session.review.answers.get(KNOWN_RISKS_QUESTION)
    rows = rows if isinstance(rows, list) else []
    carried = sum(1 for row in session.result.register if row.origin)
    beside = f"; {carried} carried from earlier stages in the register above" if carried else ""
    lines = [f"{question.prompt} (this review's own list: {len(rows)}{beside})"]
    for row in rows[:10]:
        if isinstance(row, dict):
            cells = [str(row[c.id]) for c in question.columns if row.get(c.id) not in (None, "")]
            lines.append("  • " + " — ".join(cells))
    if not rows:
        lines.append("  none yet (the question's table in the review adds them)")
    return terminal_safe("\n".join(lines))


def target_bars(questionnaire: Questionnaire, result: Evaluation, width: int = 20) -> str:
    """Scores against the target as horizontal bars, the target a `│` on each bar."""
    if not questionnaire.dimensions:
        return ""
    target = result.target
    mark = None if target is None else min(width - 1, round(target / 100 * width))
    lines = ["Scores" + ("" if target is None else f" against the target {target:g}")]
    for dimension in questionnaire.dimensions:
        score = result.scores.get(dimension.id)
        filled = 0 if score is None else round(score / 100 * width)
        bar = ["█" if i < filled else "░" for i in range(width)]
        if mark is not None:
            bar[mark] = "│"
        shown = "    -" if score is None else f"{score:5.1f}"
        lines.append(f"{dimension.id:<4} {''.join(bar)} {shown}")
    overall = score_text(result.overall)
    below = "" if target is None or (result.overall or 0) >= target else "  (below target)"
    lines.append(f"Overall {overall}{below}")
    return "\n".join(lines)


def sessions_text(session: ReviewSession) -> str:
    meetings = session.review.meetings
    if not meetings:
        return "Sessions: none recorded (ctrl+o records who is on the call)"
    lines = [f"Sessions ({len(meetings)}) — ctrl+o"]
    for meeting in meetings[-3:]:
        people = ", ".join(a.name for a in meeting.attendees) or "no attendees"
        lines.append(f"  {meeting.date}: {people}")
    return "\n".join(lines)


def last_milestone_of(session: ReviewSession) -> dict[str, Any] | None:
    from gatebook.milestone.store import MilestoneStore
    from gatebook.store import StoreError

    try:
        return MilestoneStore(session.store).latest(session.review.id)
    except (StoreError, OSError):
        return None


def since_text(milestone: dict[str, Any] | None, result: Evaluation) -> str:
    """Flags raised and cleared and the score's movement since the last milestone."""
    if milestone is None:
        return ""
    evaluation = milestone["evaluation"]
    then = {f["id"]: f.get("title", f["id"]) for f in evaluation["flags"]}
    now = {f.id: f.title for f in result.flags}
    raised = [now[f] for f in sorted(set(now) - set(then))]
    cleared = [then[f] for f in sorted(set(then) - set(now))]

    lines = [f"Since milestone {milestone['name']} ({milestone['time'][:10]})"]
    lines.append(f"  score {score_text(evaluation['overall'])} -> {score_text(result.overall)}")
    lines.append("  raised: " + ("; ".join(raised) or "none"))
    lines.append("  cleared: " + ("; ".join(cleared) or "none"))
    return "\n".join(lines)


def outcomes_heading(session: ReviewSession) -> str:
    """The outcomes register's heading: how many, the keys, what needs attention."""
    rows = list(session.review.outcomes.values())
    attention = sum(1 for r in rows if r.status in ("at_risk", "off_track", "not_achieved"))
    unmeasured = sum(1 for r in rows if not r.metric or not r.target)
    lines = [
        f"Outcomes register ({len(rows)}) — F3 goes here and back · F5 adds an outcome · "
        "F6 edits the focused one (space selects, a all: F6 sets status or date together)"
    ]
    if rows:
        lines.append(f"Needing attention: {attention} · without a metric or a target: {unmeasured}")
    else:
        lines.append("No outcome recorded yet: F3 adds the first.")
    return "\n".join(lines)
