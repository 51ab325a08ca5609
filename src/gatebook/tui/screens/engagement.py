"""One engagement: its reviews in life-cycle order, the next step and why, its RAG
status with the reasons, the engagement risk register and outcomes. `n` starts a stage
(the next one preselected), `m` takes a milestone of every member, `d` shows what
changed since one. The stage, RAG and next step stay in a fixed head; the members,
risks and outcomes scroll."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Header, Static
from textual.worker import Worker, WorkerState

from gatebook.engine.formatting import score_text
from gatebook.terminal import terminal_safe
from gatebook.tui.key_order import KeysMayGo
from gatebook.tui.marks import RAG_MARK
from gatebook.tui.screens.base import GatebookScreen
from gatebook.tui.screens.modals import PickOption, TextPrompt
from gatebook.tui.widgets.footer import Footer
from gatebook.tui.widgets.review_list import Column, ReviewList

if TYPE_CHECKING:
    from gatebook.engagement.view import EngagementView, MemberRow

MEMBER_COLUMNS = [
    Column("Stage", 10, min_width=6, shrink_order=2),
    Column("Review", 34, min_width=12, shrink_order=5),
    Column("Form", 10, min_width=5, shrink_order=1),
    Column("Status", 16, min_width=8, shrink_order=3),
    Column("High"),
    Column("Med"),
    Column("Score"),
]
HEAD_REASONS = 2
"""Reasons the fixed head shows (each wraps to two lines at 80 columns): the members
keep room at 80x24; every reason is listed in the part that scrolls."""
LOADING = "Reading the engagement and its reviews…"
"""What the screen shows until its first load arrives (the home screen's "…")."""


def member_cells(review: MemberRow) -> list[str]:
    return [
        review.stage or "-",
        review.title or review.id,
        review.questionnaire or "?",
        review.status,
        f"▲{review.high}",
        f"◆{review.medium}",
        score_text(review.overall),
    ]


def summary_text(view: EngagementView) -> str:
    reasons = view.status_reasons
    lines = [
        f"{view.customer or 'No customer yet'} · stage {view.stage or 'not started'} · "
        f"{RAG_MARK.get(view.status, view.status)} · started {view.start}"
    ]
    lines += [f"  {reason}" for reason in reasons[:HEAD_REASONS]]
    if len(reasons) > HEAD_REASONS:
        lines.append(f"  … and {len(reasons) - HEAD_REASONS} more, listed below the risks")
    return "\n".join(lines)


def reasons_text(view: EngagementView) -> str:
    """Every reason behind the RAG, where the head has no room for them all."""
    reasons = view.status_reasons
    if len(reasons) <= HEAD_REASONS:
        return ""
    label = RAG_MARK.get(view.status, view.status)
    return "\n".join([f"Why {label} ({len(reasons)}):", *(f"  {r}" for r in reasons)])


def next_text(view: EngagementView) -> str:
    from gatebook.engagement.next_step import with_roles  # the engagement core: on first use

    step = view.next_step
    if step is None:
        return "Next: nothing, the engagement is closed."
    reason = with_roles(step.reason, view.next_roles)  # who is still to sign
    return f"Next: {step.stage} ({step.questionnaire}) — {reason}  [n starts a stage]"


def default_title(view: EngagementView, questionnaire: str) -> str:
    """`Acme dqi`, and `Acme dqi 2`, `Acme dqi 3` for the next ones of the same form: a
    second inspection is not offered the first one's title."""
    base = f"{view.customer or view.title} {questionnaire}"
    count = sum(1 for review in view.reviews if review.questionnaire == questionnaire)
    return f"{base} {count + 1}" if count else base


def risks_text(view: EngagementView, firsts: dict[str, str] | None = None) -> str:
    """Each live risk once, with `from REVIEW_ID`: the review that first raised it
    (`firsts`: `REVIEW/ROW` -> its first origin), else the row it was copied from."""
    if not view.risks:
        return "Engagement risk register: empty."
    lines = [f"Engagement risk register ({len(view.risks)}):"]
    for risk in view.risks:
        row = risk.row
        first = (firsts or {}).get(f"{risk.review}/{row.id}") or row.origin
        origin = f" · from {first.partition('/')[0]}" if first else ""
        lines.append(
            f"  {(row.severity or '-').upper():<6} {row.title} · {row.status}"
            f" · {risk.review}{origin}"
        )
    return "\n".join(lines)


def outcomes_text(view: EngagementView) -> str:
    """Each customer business outcome once, as its latest row (`engagement show`'s
    `outcomes`): where it stands, by when, which review holds it and where it began."""
    from gatebook.tui.widgets.outcome_rows import STATUS_WORDS

    lines = [f"Engagement outcomes ({len(view.outcomes)}):"]
    for outcome in view.outcomes:
        row = outcome.row
        parts = [f"  {STATUS_WORDS.get(row.status, row.status)} {row.title}"]
        if row.by:
            parts.append(f"by {row.by}")
        if not row.metric or not row.target:
            parts.append("needs a metric and a target")
        first = (outcome.first_origin or "").partition("/")[0]
        origin = f" · from {first}" if first and first != outcome.review else ""
        parts.append(f"{outcome.review}{origin}")
        lines.append(" · ".join(parts))
    return "\n".join(lines)


class EngagementScreen(GatebookScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Home", id="engagement.back"),
        Binding("n", "next_review", "Start a stage", id="engagement.next"),
        Binding("m", "milestone", "Milestone", id="engagement.milestone"),
        Binding("d", "changes", "Changes since", id="engagement.diff"),
        Binding("enter", "open_review", "Open", id="engagement.open", show=False),
        Binding("r", "reload", "Refresh", id="engagement.reload"),
    ]

    def __init__(self, engagement_id: str) -> None:
        super().__init__()
        self.engagement_id = engagement_id
        self.view: EngagementView | None = None
        self._generation = 0
        """Counts loads: a load that finishes after a newer one began is dropped."""
        self._load_on_resume = True
        self.arriving = True
        """Until the first load is shown (or failed): keys typed meanwhile (`n` right
        behind starting the engagement) wait for it (tui/key_order.py)."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="engagement-head"):  # never scrolls away, even at 80x24
            yield Static(Content(LOADING), id="engagement-summary")
            yield Static(id="engagement-next")
        with VerticalScroll(id="engagement"):
            yield ReviewList(MEMBER_COLUMNS, id="members")
            yield Static(id="engagement-risks")
            yield Static(id="engagement-outcomes")  # issue 33: shown once there is one
            yield Static(id="engagement-reasons")
        yield Footer()

    AUTO_FOCUS = "#members"

    def on_screen_resume(self) -> None:
        """Shown: first after the mount, then on each return from a review: one load
        per visit (Textual resumes a screen when it is first pushed, too)."""
        if self._load_on_resume:
            self.action_reload()

    def on_screen_suspend(self) -> None:
        """A dialog over the screen (a prompt, help) changes nothing it shows; a review
        or another screen may, so coming back from one loads again. The stack is read
        whole: a new review comes with its session dialog already on top of it."""
        stack = self.app.screen_stack
        above = stack[stack.index(self) + 1 :] if self in stack else []
        only_dialogs = bool(above) and all(isinstance(s, ModalScreen) for s in above)
        self._load_on_resume = not only_dialogs  # when in doubt, load

    def action_reload(self) -> None:
        self._generation += 1
        self.load(self._generation)

    @dataclass
    class Loaded(Message, bubble=False):
        """What one load read: the engagement's title and its view."""

        generation: int
        title: str
        view: EngagementView
        firsts: dict[str, str] = field(default_factory=dict)
        """`REVIEW/ROW` of each carried risk -> where it was first raised."""

    @work(
        thread=True,
        exclusive=True,
        group="load",
        exit_on_error=False,
        description="Loading the engagement",
    )
    def load(self, generation: int) -> None:
        """Reading and evaluating every member takes time: off the event loop. An
        engagement that cannot be read fails the worker (the app says why)."""
        from gatebook.engagement.store import EngagementStore
        from gatebook.engagement.view import engagement_view
        from gatebook.store.origins import first_origin, stored_rows

        store = self.gb.store
        engagement = EngagementStore(store).get(self.engagement_id)
        view = engagement_view(store, engagement)
        rows_of = stored_rows(store)
        firsts = {
            f"{risk.review}/{risk.row.id}": first
            for risk in view.risks
            if (first := first_origin(risk.row.origin, rows_of)) is not None
        }
        self.post_message(self.Loaded(generation, engagement.title, view, firsts))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        if event.generation != self._generation:
            return  # an earlier visit's load, finished after a newer one began
        self.view = event.view
        self.title = terminal_safe(event.title)
        self.sub_title = f"engagement {self.engagement_id}"
        self.query_one("#engagement-summary", Static).update(
            Content(terminal_safe(summary_text(self.view)))
        )
        self.query_one("#members", ReviewList).set_rows(
            [(r.id, member_cells(r)) for r in self.view.reviews]
        )
        self.query_one("#engagement-next", Static).update(
            Content(terminal_safe(next_text(self.view)))
        )
        self.query_one("#engagement-risks", Static).update(
            Content(terminal_safe(risks_text(self.view, event.firsts)))
        )
        outcomes = self.query_one("#engagement-outcomes", Static)
        outcomes.display = bool(self.view.outcomes)
        outcomes.update(Content(terminal_safe(outcomes_text(self.view))))
        self.query_one("#engagement-reasons", Static).update(
            Content(terminal_safe(reasons_text(self.view)))
        )
        self._arrived()

    def _arrived(self) -> None:
        if self.arriving:
            self.arriving = False
            self.app.post_message(KeysMayGo())

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The app names a failure; the summary says the engagement did not load."""
        super().on_worker_state_changed(event)
        if event.state == WorkerState.ERROR and event.worker.group == "load":
            failed = f"Cannot open engagement {self.engagement_id}: {event.worker.error}"
            self.query_one("#engagement-summary", Static).update(Content(terminal_safe(failed)))
            self._arrived()

    @on(ReviewList.Selected, "#members")
    def _member_selected(self, event: ReviewList.Selected) -> None:
        self.gb.open_review(event.key)

    def action_open_review(self) -> None:
        review_id = self.query_one("#members", ReviewList).cursor_key
        if review_id:
            self.gb.open_review(review_id)

    def action_next_review(self) -> None:
        """Pick a stage (the next step first and preselected, another DQI once one
        exists), then a title; the stage gate is said, not enforced."""
        from gatebook.engagement.choices import stage_choices

        view = self.view
        if view is None:
            self.notify("The engagement is still loading.")
            return
        choices = {choice.questionnaire: choice for choice in stage_choices(view)}
        if not choices:
            self.notify("The engagement is closed: nothing comes next.")
            return

        def titled(questionnaire: str, text: str | None) -> None:
            if text:
                self.create(questionnaire, text)

        def picked(questionnaire: str | None) -> None:
            if questionnaire is None:
                return
            stage = choices[questionnaire].stage
            title = default_title(view, questionnaire)
            prompt = f"New {questionnaire} review ({stage}): title"
            self.app.push_screen(
                TextPrompt(prompt, title, "title"), lambda text: titled(questionnaire, text)
            )

        options = [(choice.questionnaire, choice.label) for choice in choices.values()]
        self.app.push_screen(
            PickOption("Start a stage of the engagement", options, highlighted=0), picked
        )

    @dataclass
    class Created(Message, bubble=False):
        """A member review is written; `warnings` are the stage gate's and sharing's."""

        review_id: str
        warnings: list[str]

    @work(thread=True, exit_on_error=False, group="write", description="Starting the review")
    def create(self, questionnaire_id: str, title: str) -> None:
        """The review, its place in the engagement and its shared answers are written
        off the event loop; a failure is the app's notification, naming why."""
        from gatebook.engagement.members import create_member

        questionnaire = self.gb.catalog.resolve(questionnaire_id)
        made = create_member(self.gb.store, self.engagement_id, questionnaire, title)
        self.post_message(self.Created(made.review.id, made.warnings + made.shared.messages()))

    @on(Created)
    def _created(self, event: Created) -> None:
        """The stage gate's warning names the CLI's `--override REASON`: here the reason
        is asked for in a prompt (escape: none) before the review opens."""
        from gatebook.engagement.members import OVERRIDE_HINT

        early = [line for line in event.warnings if line.endswith(OVERRIDE_HINT)]
        for line in event.warnings:
            shown = line.removeprefix("warning: ")
            if line in early:
                shown = shown.removesuffix(OVERRIDE_HINT) + "(the prompt records why)"
            self.notify(shown, severity="warning", timeout=10)
        if not early:
            self.gb.open_review(event.review_id, new=True)
            return

        def reason_given(reason: str | None) -> None:
            if reason:
                self.record_override(event.review_id, reason)
            self.gb.open_review(event.review_id, new=True)

        self.app.push_screen(
            TextPrompt("Why start this stage early? (recorded; escape: no reason)", "", "reason"),
            reason_given,
        )

    @work(thread=True, exit_on_error=False, group="write", description="Recording the reason")
    def record_override(self, review_id: str, reason: str) -> None:
        """The reason goes on the engagement, as `new --override REASON` records it."""
        from gatebook.engagement.members import record_stage_override

        store = self.gb.store
        stage = self.gb.catalog.resolve(store.get(review_id).questionnaire).stage or ""
        record_stage_override(store, self.engagement_id, stage, reason)

    # ---- milestones: `m` takes one, `d` shows what changed since one -------------------

    def action_milestone(self) -> None:
        """Freeze every member under one name (today's date by default), all or nothing."""
        from gatebook.engagement.lifecycle import today_of

        def named(text: str | None) -> None:
            if text and text.strip():
                self.take_milestone(text.strip())

        prompt = "Milestone of every review of the engagement: name"
        self.app.push_screen(TextPrompt(prompt, today_of(self.gb.store), "name"), named)

    @dataclass
    class MilestoneTaken(Message, bubble=False):
        name: str
        reviews: int

    @work(thread=True, exit_on_error=False, group="write", description="Taking the milestone")
    def take_milestone(self, name: str) -> None:
        """Through the same service and journal as `engagement milestone`: a member
        that has the name already or cannot be written leaves it on none (the app
        names why)."""
        from gatebook.engagement.store import EngagementStore
        from gatebook.engagement.timeline import take_engagement_milestone

        store = self.gb.store
        engagement = EngagementStore(store).get(self.engagement_id)
        written = take_engagement_milestone(store, engagement, name)
        self.post_message(self.MilestoneTaken(name, len(written)))

    @on(MilestoneTaken)
    def _milestone_taken(self, event: MilestoneTaken) -> None:
        self.notify(f"Milestone {event.name} taken on {event.reviews} review(s); d shows changes.")

    def action_changes(self) -> None:
        self.list_milestones()

    @dataclass
    class MilestonesListed(Message, bubble=False):
        """The names every member then had, newest first."""

        names: list[tuple[str, str]]

    @work(
        thread=True,
        exclusive=True,
        group="diff",
        exit_on_error=False,
        description="Reading the milestones",
    )
    def list_milestones(self) -> None:
        from gatebook.engagement.lifecycle import load_members
        from gatebook.engagement.store import EngagementStore
        from gatebook.engagement.timeline import shared_milestones

        store = self.gb.store
        engagement = EngagementStore(store).get(self.engagement_id)
        shared, _ = shared_milestones(store, engagement, load_members(store, engagement))
        self.post_message(self.MilestonesListed([(m.name, m.time) for m in shared]))

    @on(MilestonesListed)
    def _milestones_listed(self, event: MilestonesListed) -> None:
        if not event.names:
            self.notify("No milestone of the whole engagement yet: m takes one.")
            return

        def picked(name: str | None) -> None:
            if name is not None:
                self.diff_since(name)

        options = [
            (name, f"{name}  (taken {time[:16].replace('T', ' ')})") for name, time in event.names
        ]
        self.app.push_screen(
            PickOption("What changed since which milestone?", options, highlighted=0), picked
        )

    @dataclass
    class DiffReady(Message, bubble=False):
        name: str
        lines: list[str]

    @work(
        thread=True,
        exclusive=True,
        group="diff",
        exit_on_error=False,
        description="Comparing the engagement",
    )
    def diff_since(self, name: str) -> None:
        from gatebook.engagement.diff import engagement_diff

        diff = engagement_diff(self.gb.store, self.engagement_id, name)
        self.post_message(self.DiffReady(name, [*diff.lines(), *diff.warnings]))

    @on(DiffReady)
    def _diff_ready(self, event: DiffReady) -> None:
        from gatebook.tui.screens.engagement_diff import EngagementDiffScreen

        title = f"Changes since {event.name}"
        self.app.push_screen(EngagementDiffScreen(title, event.lines))
