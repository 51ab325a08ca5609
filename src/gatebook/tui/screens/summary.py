"""The summary: every flag with an editable mitigation, scores, gates, what is missing.

From here the plan is exported and signed off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from gatebook.plan.report import review_report
from gatebook.store import Change, ChangeKind
from gatebook.store.model import Signoff
from gatebook.tui.screens.plan import ExportScreen, SignoffDialog
from gatebook.tui.widgets.live_panel import (
    SEVERITY_WORD,
    escalation_text,
    gates_text,
    missing_text,
    scores_text,
)

if TYPE_CHECKING:
    from gatebook.tui.session import ReviewSession


class SummaryScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back to review", id="summary.back"),
        Binding("f7", "export", "Export plan", id="summary.export"),
        Binding("f10", "signoff", "Sign off", id="summary.signoff"),
    ]

    def __init__(self, session: ReviewSession) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        screen = self.session
        result = screen.result
        review = screen.review
        yield Header()
        with VerticalScroll(id="summary"):
            escalation = escalation_text(result)
            if escalation:
                yield Static(Content(escalation), id="summary-escalation")
            yield Static(
                Content(f"Flags ({len(result.flags)}) — write a mitigation for each"),
                classes="summary-heading",
            )
            if not result.flags:
                yield Static(Content("No risk flags raised."))
            for flag in result.flags:
                yield Static(
                    Content(f"{SEVERITY_WORD[flag.severity]} {flag.title}: {flag.why}"),
                    classes="flag-line",
                )
                yield Input(
                    review.mitigations.get(flag.id, ""),
                    placeholder=f"Mitigation (hint: {flag.mitigation})",
                    id=f"mitigation-{flag.id}",
                    select_on_focus=False,
                )
            for text in (
                scores_text(screen.questionnaire, result),
                gates_text(screen.questionnaire, result),
                missing_text(screen.questionnaire, result),
            ):
                if text:
                    yield Static(Content(text), classes="summary-block")
            follow_ups = [
                q.prompt for q in screen.questionnaire.questions() if q.id in review.follow_ups
            ]
            yield Static(
                Content("Follow-ups: " + ("; ".join(follow_ups) or "none")), classes="summary-block"
            )
            yield Static(
                Content(self.signoff_text()), id="summary-signoffs", classes="summary-block"
            )
        yield Footer()

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
        self.title = self.session.review.title
        self.sub_title = "Summary"
        self.call_after_refresh(self._focus_first_mitigation)

    def _focus_first_mitigation(self) -> None:
        """Arrive where typing helps: the first raised flag without a mitigation (else
        the first flag's), so nothing typed on arrival is lost."""
        flags = self.session.result.flags
        if not flags:
            return
        written = self.session.review.mitigations
        target = next((f for f in flags if not written.get(f.id, "").strip()), flags[0])
        field = self.query_one(f"#mitigation-{target.id}", Input)
        field.focus()
        field.cursor_position = len(field.value)

    def action_export(self) -> None:
        self.app.push_screen(ExportScreen(self.session))

    def action_signoff(self) -> None:
        if not self.session.questionnaire.signoff:
            self.notify("This questionnaire has no sign-off roles.")
            return
        user = self.session.store.user()
        self.app.push_screen(SignoffDialog(self.session, user), self._signed)

    def _signed(self, signoff: Signoff | None) -> None:
        if signoff is None:
            return
        self.session.sign_off(signoff)
        self.query_one("#summary-signoffs", Static).update(Content(self.signoff_text()))
        self.notify(f"Signed off: {signoff.role} {signoff.decision} by {signoff.name}.")

    @on(Input.Changed)
    def _mitigation_changed(self, event: Input.Changed) -> None:
        if event.input.id and event.input.id.startswith("mitigation-"):
            flag_id = event.input.id.removeprefix("mitigation-")
            self.session.apply([Change(ChangeKind.MITIGATION, flag_id, event.value)])
