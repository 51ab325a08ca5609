"""Home: the workspace's engagements, then its loose reviews; filter, sort, start,
open, delete."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import Header, Input, Static

from gatebook.engagement.store import EngagementStore, ListedEngagement
from gatebook.store import Summary
from gatebook.tui.marks import RAG_MARK
from gatebook.tui.screens.base import GatebookScreen
from gatebook.tui.screens.modals import Confirm, PickOption, TextPrompt
from gatebook.tui.widgets.footer import Footer
from gatebook.tui.widgets.review_list import Column, ReviewList

if TYPE_CHECKING:
    from gatebook.engagement.model import Engagement

SORTS = [
    ("updated", "last changed"),
    ("title", "title"),
    ("high", "high flags"),
    ("progress", "progress"),
]
BLANK = "__blank__"
COLUMNS = [
    Column("Title", 36, min_width=12, shrink_order=5),
    Column("Questionnaire", 16, min_width=8, shrink_order=1),
    Column("Subject", 24, min_width=8, shrink_order=2),
    Column("Done"),
    Column("High"),
    Column("Med"),
    Column("Score"),
    Column("Status", 18, min_width=8, shrink_order=4),
    Column("Changed", min_width=10, shrink_order=3, ellipsis=False),
]
"""At 80 columns the title keeps the most room; `Changed` shows the date alone."""


FROM_FILE = "\x00file"  # the picker's "choose a file" entry, never a questionnaire id
ENGAGEMENT_KEY = "eng:"
"""Row keys of engagements (a review id never contains ':')."""
UNREADABLE = "UNREADABLE"
"""The status of a file the store cannot read, as `engagement list` and a review row say."""


@dataclass
class EngagementRow:
    """An engagement as the home list shows it, from the store's listing (the one
    reader the CLI uses too); its stage and RAG status arrive from a worker after the
    first frame. A file the store cannot read is listed as UNREADABLE, with why."""

    id: str
    title: str
    customer: str
    members: list[str]
    updated: str
    stage: str = "…"
    status: str = "…"
    conflicts: int = 0

    def cells(self) -> list[str]:
        marked = f"conflicts {self.conflicts} · {self.title}" if self.conflicts else self.title
        return [
            f"▸ {marked}",
            self.stage,
            self.customer,
            f"{len(self.members)} rev",
            "",
            "",
            "",
            RAG_MARK.get(self.status, self.status),
            self.updated[:16].replace("T", " "),
        ]


def engagement_rows(listed: list[ListedEngagement]) -> list[EngagementRow]:
    """The store's listing as rows: what `engagement list` cannot read is UNREADABLE
    here too, with its short reason where the customer goes."""
    rows: list[EngagementRow] = []
    for item in listed:
        engagement = item.engagement
        if engagement is None:
            rows.append(EngagementRow(item.id, item.id, item.why or "", [], "", "-", UNREADABLE))
            continue
        rows.append(
            EngagementRow(
                engagement.id,
                engagement.title,
                engagement.customer,
                list(dict.fromkeys(engagement.members)),
                engagement.updated,
                conflicts=len(engagement.conflicts),
            )
        )
    return rows


def row_cells(s: Summary) -> list[str]:
    """One review as the home list shows it; a merge's open conflicts lead its title (the
    column that keeps its room at 80 columns)."""
    if s.unreadable:
        return [s.title, s.questionnaire, "", "", "", "", "", "UNREADABLE", s.updated]
    # engine.formatting.score_text, written out: the home screen starts without the
    # engine package (tests/test_speed.py)
    score = "-" if s.overall is None else f"{s.overall:g}"
    return [
        f"conflicts {s.conflicts} · {s.title}" if s.conflicts else s.title,
        s.questionnaire,
        s.subject,
        f"{s.progress:g}%",
        f"▲{s.high}",
        f"◆{s.medium}",
        score,
        s.status,
        s.updated[:16].replace("T", " "),
    ]


class HomeScreen(GatebookScreen):
    BINDINGS = [
        Binding("n", "new_review", "New review", id="home.new"),
        Binding("e", "new_engagement", "New engagement", id="home.new_engagement"),
        Binding("P", "portfolio", "Portfolio", id="home.portfolio"),
        Binding("enter", "open_review", "Open", id="home.open", show=False),
        Binding("slash", "filter", "Filter", id="home.filter"),
        Binding("s", "sort", "Sort", id="home.sort"),
        Binding("delete,x", "delete_review", "Delete", id="home.delete"),
        Binding("u", "restore_review", "Restore deleted", id="home.restore", show=False),
        Binding("escape", "clear_filter", "Clear filter", id="home.clear_filter", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.summaries: list[Summary] = []
        self.engagements: list[EngagementRow] = []
        self.sort_index = 0
        self.filter_text = ""
        self._fresh = False
        """Just loaded by the mount: the first screen-resume needs no second load."""
        self._generation = 0
        """Counts loads: a rating from an earlier load never lands on a newer one."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(
            placeholder="filter: type part of a title, customer or questionnaire", id="filter"
        )
        yield ReviewList(COLUMNS, id="reviews")
        yield Static(id="home-hint")
        yield Footer()

    TITLE = "gatebook"
    SUB_TITLE = "reviews"

    AUTO_FOCUS = "#reviews"

    def on_mount(self) -> None:
        self.reload()
        self._fresh = True

    def on_screen_resume(self) -> None:
        """Coming back from a review: its changes show. The first resume follows the
        mount, which has just loaded (loading twice drew the table twice at start-up)."""
        if self._fresh:
            self._fresh = False
            return
        self.reload()

    def reload(self) -> None:
        self.summaries = self.gb.store.summaries()
        listed = EngagementStore(self.gb.store).listed()
        self.engagements = engagement_rows(listed)
        self.render_table()
        self._generation += 1
        readable = [item.engagement for item in listed if item.engagement is not None]
        if readable:
            self.rate_engagements(readable, self._generation)

    @dataclass
    class Rated(Message, bubble=False):
        """Stage and RAG of the engagements one load listed (`generation` says which)."""

        generation: int
        rated: dict[str, tuple[str, str]]

    @work(
        thread=True,
        exclusive=True,
        group="rate",
        exit_on_error=False,
        description="Rating the engagements",
    )
    def rate_engagements(self, engagements: list[Engagement], generation: int) -> None:
        """Stage and RAG need every member evaluated: off the event loop, over the
        engagements the listing has just read (each file is read once)."""
        from gatebook.engagement.view import engagement_view

        store = self.gb.store
        rated: dict[str, tuple[str, str]] = {}
        for engagement in engagements:
            view = engagement_view(store, engagement)
            rated[engagement.id] = (view.stage or "not started", view.status)
        self.post_message(self.Rated(generation, rated))

    @on(Rated)
    def _rated(self, event: Rated) -> None:
        if event.generation != self._generation:
            return  # an earlier load's rating, finished after a newer load began
        for row in self.engagements:
            if row.id in event.rated:
                row.stage, row.status = event.rated[row.id]
        self.render_table()

    def visible_engagements(self) -> list[EngagementRow]:
        needle = self.filter_text.lower()
        return [
            row
            for row in self.engagements
            if not needle or needle in f"{row.title} {row.customer} {row.id}".lower()
        ]

    def visible_rows(self) -> list[Summary]:
        needle = self.filter_text.lower()
        members = {member for row in self.engagements for member in row.members}
        rows = [
            s
            for s in self.summaries
            if s.id not in members
            and (not needle or needle in f"{s.title} {s.subject} {s.questionnaire} {s.id}".lower())
        ]
        key = SORTS[self.sort_index][0]
        reverse = key in ("updated", "high", "progress")
        return sorted(rows, key=lambda s: getattr(s, key), reverse=reverse)

    def render_table(self) -> None:
        self.query_one("#reviews", ReviewList).set_rows(
            [(ENGAGEMENT_KEY + row.id, row.cells()) for row in self.visible_engagements()]
            + [(s.id, row_cells(s)) for s in self.visible_rows()]
        )
        count = len(self.summaries)
        hint = (
            f"{count} review{'s' if count != 1 else ''} · sorted by "
            f"{SORTS[self.sort_index][1]} · enter open · n new · / filter · s sort · "
            "x delete · F1 help"
        )
        if self.engagements:
            hint = f"{len(self.engagements)} engagement(s) · " + hint.replace(
                " · n new", " · n new · e engagement"
            )
        if not count and not self.engagements:
            hint = "No reviews yet: press n to start one (e starts an engagement)."
        self.query_one("#home-hint", Static).update(Content(hint))

    def selected_id(self) -> str | None:
        return self.query_one("#reviews", ReviewList).cursor_key

    @on(ReviewList.Selected, "#reviews")
    def _row_selected(self, event: ReviewList.Selected) -> None:
        self.open_key(event.key)

    def action_open_review(self) -> None:
        key = self.selected_id()
        if key:
            self.open_key(key)

    def open_key(self, key: str) -> None:
        if key.startswith(ENGAGEMENT_KEY):
            from gatebook.tui.screens.engagement import EngagementScreen

            self.app.push_screen(EngagementScreen(key.removeprefix(ENGAGEMENT_KEY)))
        else:
            self.gb.open_review(key)

    def action_portfolio(self) -> None:
        from gatebook.tui.screens.portfolio import PortfolioScreen

        self.app.push_screen(PortfolioScreen())

    def action_new_engagement(self) -> None:
        """A title, then the customer (the shared `customer` answer)."""

        def titled(title: str | None) -> None:
            if title and title.strip():
                self.app.push_screen(
                    TextPrompt("Customer (shared by every review of it)", "", "e.g. Acme"),
                    lambda customer: self._create_engagement(title.strip(), customer),
                )

        self.app.push_screen(
            TextPrompt("New engagement: title", "", "e.g. Acme data platform"), titled
        )

    def _create_engagement(self, title: str, customer: str | None) -> None:
        self.create_engagement(title, customer.strip() if customer else "")

    @dataclass
    class Created(Message, bubble=False):
        """A new engagement is written: the list shows it and its screen opens."""

        engagement_id: str

    @work(thread=True, exit_on_error=False, group="write", description="Starting the engagement")
    def create_engagement(self, title: str, customer: str) -> None:
        """Writing files is off the event loop; a failure is the app's notification."""
        from gatebook.engagement.lifecycle import today_of

        store = self.gb.store
        today = today_of(store)
        shared: dict[str, object] = {"project_start": today}
        if customer:
            shared["customer"] = customer
        engagement = EngagementStore(store).create(title, start=today, shared=shared)
        self.post_message(self.Created(engagement.id))

    @on(Created)
    def _created(self, event: Created) -> None:
        from gatebook.tui.screens.engagement import EngagementScreen

        self.reload()
        self.app.push_screen(EngagementScreen(event.engagement_id))

    def action_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.add_class("-shown")
        field.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value
        self.render_table()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.query_one("#reviews", ReviewList).focus()

    def action_clear_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.value = ""
        field.remove_class("-shown")
        self.query_one("#reviews", ReviewList).focus()

    def action_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(SORTS)
        self.render_table()

    def action_delete_review(self) -> None:
        review_id = self.selected_id()
        if not review_id:
            return
        if review_id.startswith(ENGAGEMENT_KEY):
            self.notify("An engagement is not deleted from here: open it and leave its reviews.")
            return
        title = next((s.title for s in self.summaries if s.id == review_id), review_id)

        def done(yes: bool | None) -> None:
            if yes:
                self.gb.store.delete(review_id)
                self.notify(f"Moved {title!r} to the trash; u restores it.")
                self.gb.last_deleted = review_id
                self.reload()

        self.app.push_screen(Confirm(f"Move {title!r} to the trash?"), done)

    def action_restore_review(self) -> None:
        if self.gb.last_deleted:
            self.gb.store.restore(self.gb.last_deleted)
            self.gb.last_deleted = None
            self.reload()

    def action_new_review(self) -> None:
        entries = self.gb.catalog.entries()
        options = [(e.id, f"{e.title}  [{e.id} {e.version}, {e.origin}]") for e in entries]
        options.append((FROM_FILE, "A questionnaire or AWS lens file…"))

        def picked(questionnaire_id: str | None) -> None:
            if questionnaire_id == FROM_FILE:
                self.app.push_screen(
                    TextPrompt("Questionnaire file (YAML or lens JSON)", "", "path/to/lens.json"),
                    lambda path: picked(path) if path else None,
                )
            elif questionnaire_id:
                self.app.push_screen(
                    TextPrompt("Title of the review", "", "e.g. Acme data platform"),
                    lambda title: self._titled(questionnaire_id, title),
                )

        self.app.push_screen(PickOption("New review: pick a questionnaire", options), picked)

    def _titled(self, questionnaire_id: str, title: str | None) -> None:
        if not title:
            return
        others = [
            (s.id, f"{s.title}  [{s.questionnaire}]") for s in self.summaries if not s.unreadable
        ]
        if not others:
            self.gb.create_review(questionnaire_id, title, None)
            return
        options = [(BLANK, "Start blank"), *others]

        def source(review_id: str | None) -> None:
            if review_id is not None:
                self.gb.create_review(
                    questionnaire_id, title, None if review_id == BLANK else review_id
                )

        self.app.push_screen(
            PickOption("Copy answers from another review? (shared question ids)", options), source
        )
