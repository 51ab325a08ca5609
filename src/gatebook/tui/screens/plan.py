"""Export preview and sign-off dialog, opened from the summary.

The plan text comes from `gatebook.plan` (the same bytes `gatebook export`
writes); the preview renders it with Textual's Markdown widget in a worker so a
large plan never freezes the call.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Header, Input, Label, Markdown, Select, Static

from gatebook.plan.decision import APP_HINTS, DecisionCheck, check_decision
from gatebook.plan.signoff import (
    DECISIONS,
    SignoffRefused,
    git_signing_key,
    make_signoff,
)
from gatebook.store.canonical import content_digest, current_signoffs
from gatebook.store.model import Review, Signoff
from gatebook.terminal import terminal_safe
from gatebook.tui.host import AppHost, LastSigner
from gatebook.tui.screens.base import ForwardsWorkerFailures
from gatebook.tui.screens.modals import TextPrompt
from gatebook.tui.widgets.bounded_text import BoundedText
from gatebook.tui.widgets.footer import Footer
from gatebook.tui.widgets.safe_input import SafeInput

if TYPE_CHECKING:
    from gatebook.tui.session import ReviewSession


def preview_body(plan: str) -> str:
    """The human part of the plan: no front matter, no machine-readable block."""
    if plan.startswith("---\n"):
        end = plan.find("\n---\n", 4)
        plan = plan[end + 5 :] if end >= 0 else plan
    cut = plan.rfind("<details>")
    return plan[:cut] if cut >= 0 else plan


class ExportScreen(ForwardsWorkerFailures):
    """The plan as it will be written; ctrl+s writes it to a file you name."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="export.back"),
        Binding("ctrl+s,w", "write", "Write plan file", id="export.write"),
    ]

    def __init__(self, session: ReviewSession) -> None:
        super().__init__()
        self.session = session
        self.plan_text = ""

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="plan-preview"):
            yield Static(Content("Rendering the plan…"), id="plan-status")
            yield Markdown(id="plan-markdown")
        yield Footer()

    def on_mount(self) -> None:
        self.title = terminal_safe(self.session.review.title)
        self.sub_title = "Plan preview — ctrl+s writes it"
        self.session.flush()
        self._render_plan()

    @work(thread=True, exclusive=True, exit_on_error=False, description="Rendering the plan")
    def _render_plan(self) -> None:
        screen = self.session
        text = screen.render()
        self.app.call_from_thread(self.call_later, self._show, text)

    async def _show(self, text: str) -> None:
        self.plan_text = text
        await self.query_one("#plan-markdown", Markdown).update(terminal_safe(preview_body(text)))
        self.query_one("#plan-status", Static).update(
            Content(f"{len(text.encode()):,} bytes · ctrl+s to write · escape to go back")
        )

    def action_write(self) -> None:
        from gatebook.store.resolve import open_conflicts_message

        refused = open_conflicts_message(self.session.review)
        if refused is not None:  # as `gatebook export` refuses it
            self.notify(f"Not written: {refused}", severity="error", timeout=10)
            return
        if not self.plan_text:
            self.notify("Still rendering; try again in a moment.")
            return
        default = str(Path.cwd() / f"{self.session.review.id}.md")
        self.app.push_screen(TextPrompt("Write the plan to", default), self._write_to)

    def _write_to(self, answer: str | None) -> None:
        if not answer:
            return
        path = Path(answer).expanduser()
        try:
            self.session.export(path, self.plan_text)
        except OSError as error:
            self.notify(f"Could not write {path}: {error.strerror}", severity="error")
            return
        self.notify(f"Wrote {path}")


def roles_signed(review: Review) -> set[str]:
    """The roles whose latest sign-off approved the review as it is now."""
    digest = content_digest(review)
    return {role for role, s in current_signoffs(review).items() if s.digest == digest}


class SignoffDialog(ModalScreen[Signoff | None]):
    """Role, name, decision, comment; before ctrl+s, what blocks each decision (the
    checks `gatebook signoff` refuses with), and an override reason asked for only
    when the chosen decision needs one. The name and key last used since the app
    started are filled in (kept on the app, between roles and reviews). Every control
    is on screen at 80x24: one line a field, the blockers in a region of a few rows that
    scrolls and says how many lines it hides."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="signoff.cancel"),
        Binding("ctrl+s", "sign", "Sign off", id="signoff.sign", priority=True),
    ]

    def __init__(self, session: ReviewSession, user: str) -> None:
        super().__init__()
        self.session = session
        self.user = user

    @property
    def host(self) -> AppHost:
        return cast("AppHost", self.app)

    def on_mount(self) -> None:
        self.query_one("#signoff-role", Select).focus()
        self._show_checks()

    def checks(self) -> dict[str, DecisionCheck]:
        """Each decision's check on the review as it is now."""
        session = self.session
        return {
            decision: check_decision(
                session.review, session.questionnaire, session.result, decision, APP_HINTS
            )
            for decision in DECISIONS
        }

    def compose(self) -> ComposeResult:
        questionnaire = self.session.questionnaire
        last = self.host.last_signer
        signed = roles_signed(self.session.review)
        roles = [r.id for r in questionnaire.signoff]
        waiting = [role for role in roles if role not in signed]
        with VerticalScroll(classes="dialog"):  # one line a field: the whole of it at 80x24
            yield Label(Content("Sign off this review"), classes="dialog-title")
            with Horizontal(classes="dialog-field"):  # a filled field keeps its label
                yield Label("Role")
                yield Select(
                    [
                        (r.title + (" (signed)" if r.id in signed else ""), r.id)
                        for r in questionnaire.signoff
                    ],
                    prompt="Role",
                    id="signoff-role",
                    allow_blank=not roles,
                    value=(waiting or roles)[0] if roles else Select.BLANK,
                )
            with Horizontal(classes="dialog-field"):
                yield Label("Name")
                yield SafeInput(
                    last.name if last else self.user, placeholder="Your name", id="signoff-name"
                )
            with Horizontal(classes="dialog-field"):
                yield Label("Decision")
                yield Select([(d, d) for d in DECISIONS], value="approved", id="signoff-decision")
            with Horizontal(classes="dialog-field"):
                yield Label("Comment")
                yield SafeInput(placeholder="Comment / conditions", id="signoff-comment")
            with Horizontal(classes="dialog-field", id="signoff-override-field"):
                yield Label("Override")
                yield SafeInput(placeholder="Override reason (required)", id="signoff-override")
            with Horizontal(classes="dialog-field"):
                yield Label("SSH key")
                yield SafeInput(
                    last.key if last else (git_signing_key() or ""),
                    placeholder="optional; git's user.signingkey if SSH",
                    id="signoff-key",
                )
            # A review with many open items lists a dozen lines here: they scroll in a
            # few rows, so the fields above and the button below stay on screen.
            yield BoundedText(
                text_id="signoff-checks", id="signoff-blockers", classes="dialog-warning"
            )
            # A refusal takes the list's place: it names the chosen decision's blockers
            # again, with the way out at its end.
            yield BoundedText(text_id="signoff-error", id="signoff-refusal", classes="field-error")
            with Horizontal(id="signoff-actions"):
                yield Button(Content("Sign off (ctrl+s)"), id="signoff-sign", variant="primary")
                yield Static(Content("escape to cancel"), classes="dialog-hint")

    def _decision(self) -> str:
        value = self.query_one("#signoff-decision", Select).value
        return value if isinstance(value, str) else "approved"

    def _show_checks(self) -> None:
        """What blocks each decision, the chosen one first; the override field shows
        only when the chosen decision needs a reason to go through."""
        checks = self.checks()
        chosen = self._decision()
        ordered = [chosen, *(d for d in DECISIONS if d != chosen)]
        lines = ["What blocks each decision:"] + [f"  {checks[d].summary()}" for d in ordered]
        self.query_one("#signoff-blockers", BoundedText).update("\n".join(lines))
        needed = checks[chosen].needs_override
        self.query_one("#signoff-override-field").display = needed  # the label with it
        self.query_one("#signoff-override", Input).display = needed

    @on(Select.Changed, "#signoff-decision")
    def _decision_changed(self) -> None:
        self._show_checks()
        self._say("")

    @on(Button.Pressed, "#signoff-sign")
    def _pressed(self) -> None:
        self.action_sign()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _say(self, text: str) -> None:
        """What is missing, at once and in view: in place of the list of blockers, which
        comes back when the decision changes."""
        blockers = self.query_one("#signoff-blockers", BoundedText)
        if text and blockers.scroller.has_focus:
            self.query_one("#signoff-sign", Button).focus()  # the list is about to hide
        refusal = self.query_one("#signoff-refusal", BoundedText)
        refusal.update(text)
        self.set_class(bool(text), "-refused")
        if text:
            refusal.scroll_visible()

    def action_sign(self) -> None:
        screen = self.session
        role = self.query_one("#signoff-role", Select).value
        decision = self._decision()
        key = self.query_one("#signoff-key", Input).value.strip()
        if not screen.flush():
            reason = screen.save_error
            self._say(
                f"Some answers are not saved yet ({reason or 'still saving'}); a sign-off "
                "binds to saved content. Fix the cause, press ctrl+s on the review, "
                "then sign."
            )
            return
        from gatebook.store.records import RecordProblem, checked_text

        override_shown = self.query_one("#signoff-override-field").display
        try:
            typed = {
                what: checked_text(self.query_one(f"#signoff-{what}", Input).value, what)
                for what in ("name", "comment", "override")
            }
            signoff = make_signoff(
                screen.review,
                screen.questionnaire,
                role=str(role) if isinstance(role, str) else "",
                name=typed["name"],
                decision=decision,
                comment=typed["comment"],
                time=screen.store.clock(),
                override=typed["override"] if override_shown else None,
                sign_key=key or None,
                hints=APP_HINTS,
            )
        except (SignoffRefused, RecordProblem) as error:
            self._say(str(error))
            self._show_checks()
            return
        self.host.last_signer = LastSigner(signoff.name, key)
        self.dismiss(signoff)
