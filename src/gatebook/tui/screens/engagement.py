"""One engagement: its reviews in life-cycle order, the next step and why, its RAG
status with the reasons, the engagement risk register. `n` starts the next review."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Header, Static

from gatebook.terminal import terminal_safe
from gatebook.tui.screens.base import GatebookScreen
from gatebook.tui.screens.modals import TextPrompt
from gatebook.tui.widgets.footer import Footer
from gatebook.tui.widgets.review_list import Column, ReviewList

MEMBER_COLUMNS = [
    Column("Stage", 10, min_width=6, shrink_order=2),
    Column("Review", 34, min_width=12, shrink_order=5),
    Column("Form", 10, min_width=5, shrink_order=1),
    Column("Status", 16, min_width=8, shrink_order=3),
    Column("High"),
    Column("Med"),
    Column("Score"),
]
RAG_MARK = {"red": "● RED", "amber": "◐ AMBER", "green": "○ GREEN"}
"""A shape as well as a word: readable without colour."""


def member_cells(review: dict[str, Any]) -> list[str]:
    score = "-" if review["overall"] is None else f"{review['overall']:g}"
    return [
        review["stage"] or "-",
        review["title"] or review["id"],
        review["questionnaire"] or "?",
        review["status"],
        f"▲{review['high']}",
        f"◆{review['medium']}",
        score,
    ]


def summary_text(view: dict[str, Any]) -> str:
    lines = [
        f"{view['customer'] or 'No customer yet'} · stage {view['stage'] or 'not started'} · "
        f"{RAG_MARK.get(view['status'], view['status'])} · started {view['start']}"
    ]
    lines += [f"  {reason}" for reason in view["status_reasons"][:4]]
    if len(view["status_reasons"]) > 4:
        lines.append(f"  … and {len(view['status_reasons']) - 4} more")
    return "\n".join(lines)


def next_text(view: dict[str, Any]) -> str:
    step = view["next_step"]
    if step is None:
        return "Next: nothing, the engagement is closed."
    return f"Next: {step['stage']} ({step['questionnaire']}) — {step['reason']}  [n starts it]"


def risks_text(view: dict[str, Any]) -> str:
    risks = view["risks"]
    if not risks:
        return "Engagement risk register: empty."
    lines = [f"Engagement risk register ({len(risks)}):"]
    for row in risks:
        origin = f" ← {row['origin']}" if row["origin"] else ""
        lines.append(
            f"  {(row['severity'] or '-').upper():<6} {row['title']} · {row['status']}"
            f" · {row['review']}{origin}"
        )
    return "\n".join(lines)


class EngagementScreen(GatebookScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Home", id="engagement.back"),
        Binding("n", "next_review", "Start next review", id="engagement.next"),
        Binding("enter", "open_review", "Open", id="engagement.open", show=False),
        Binding("r", "reload", "Refresh", id="engagement.reload"),
    ]

    def __init__(self, engagement_id: str) -> None:
        super().__init__()
        self.engagement_id = engagement_id
        self.view: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="engagement"):
            yield Static(id="engagement-summary")
            yield ReviewList(MEMBER_COLUMNS, id="members")
            yield Static(id="engagement-next")
            yield Static(id="engagement-risks")
        yield Footer()

    AUTO_FOCUS = "#members"

    def on_mount(self) -> None:
        self.action_reload()

    def on_screen_resume(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        from gatebook.engagement.store import EngagementStore
        from gatebook.engagement.view import engagement_view
        from gatebook.store import StoreError

        store = self.gb.store
        try:
            engagement = EngagementStore(store).get(self.engagement_id)
        except StoreError as error:
            self.notify(str(error), title="Cannot open the engagement", severity="error")
            return
        self.view = engagement_view(store, engagement)
        self.title = terminal_safe(engagement.title)
        self.sub_title = f"engagement {engagement.id}"
        self.query_one("#engagement-summary", Static).update(
            Content(terminal_safe(summary_text(self.view)))
        )
        self.query_one("#members", ReviewList).set_rows(
            [(r["id"], member_cells(r)) for r in self.view["reviews"]]
        )
        self.query_one("#engagement-next", Static).update(
            Content(terminal_safe(next_text(self.view)))
        )
        self.query_one("#engagement-risks", Static).update(
            Content(terminal_safe(risks_text(self.view)))
        )

    @on(ReviewList.Selected, "#members")
    def _member_selected(self, event: ReviewList.Selected) -> None:
        self.gb.open_review(event.key)

    def action_open_review(self) -> None:
        review_id = self.query_one("#members", ReviewList).cursor_key
        if review_id:
            self.gb.open_review(review_id)

    def action_next_review(self) -> None:
        """Start the review the next step names; the stage gate is said, not enforced."""
        step = self.view.get("next_step")
        if not step:
            self.notify("The engagement is closed: nothing comes next.")
            return
        title = f"{self.view['customer'] or self.view['title']} {step['questionnaire']}"
        prompt = f"New {step['questionnaire']} review ({step['stage']}): title"
        self.app.push_screen(
            TextPrompt(prompt, title, "title"),
            lambda text: self._create(step["questionnaire"], text) if text else None,
        )

    def _create(self, questionnaire_id: str, title: str) -> None:
        from gatebook.engagement.members import create_member
        from gatebook.questionnaire.problems import SourceError
        from gatebook.store import StoreError

        try:
            questionnaire = self.gb.catalog.resolve(questionnaire_id)
            made = create_member(self.gb.store, self.engagement_id, questionnaire, title)
        except (SourceError, StoreError) as error:
            self.notify(str(error), title="Cannot start the review", severity="error")
            return
        for line in made.warnings + made.shared.messages():
            self.notify(line.removeprefix("warning: "), severity="warning", timeout=10)
        self.gb.open_review(made.review.id, new=True)
