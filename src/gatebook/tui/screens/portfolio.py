"""The portfolio a delivery manager reads (`P` from home): engagements and loose
reviews by RAG then score, with bars drawn in text (a shape as well as a colour, so
NO_COLOR reads the same), the flags raised most and the average per dimension.

The figures come from `gatebook.portfolio.report` in a worker: the screen opens at
once and fills in when they are ready.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Header, Static

from gatebook.terminal import terminal_safe
from gatebook.tui.marks import RAG_MARK
from gatebook.tui.screens.base import GatebookScreen
from gatebook.tui.widgets.footer import Footer
from gatebook.tui.widgets.review_list import Column, ReviewList

if TYPE_CHECKING:
    from gatebook.portfolio.report import PortfolioItem, PortfolioReport

COLUMNS = [
    Column("RAG", 8),
    Column("Title", 30, min_width=10, shrink_order=5),
    Column("Stage", 10, min_width=5, shrink_order=2),
    Column("Score vs target", 16, min_width=14, shrink_order=6),
    Column("High"),
    Column("Med"),
    Column("Late"),
    Column("Esc"),
]
WIDTH = 10


def score_bar(overall: float | None, target: float | None, width: int = WIDTH) -> str:
    """`██████░░│░ 62` — the score filled, the target a `│`."""
    if overall is None:
        return "not scored"
    filled = round(overall / 100 * width)
    bar = ["█" if i < filled else "░" for i in range(width)]
    if target is not None:
        bar[min(width - 1, round(target / 100 * width))] = "│"
    return f"{''.join(bar)} {overall:g}"


def count_bars(rows: list[tuple[str, int]], width: int = 20) -> list[str]:
    most = max((count for _, count in rows), default=0) or 1
    label = max((len(name) for name, _ in rows), default=0)
    return [
        f"  {name:<{label}} {'█' * max(1, round(count / most * width))} {count}"
        for name, count in rows
    ]


def item_cells(item: PortfolioItem) -> list[str]:
    figures = item.figures
    return [
        RAG_MARK.get(item.rag, item.rag),
        ("▸ " if item.kind == "engagement" else "") + item.title,
        item.stage or "-",
        score_bar(figures.overall, figures.target),
        f"▲{figures.high}",
        f"◆{figures.medium}",
        str(figures.overdue),
        str(figures.escalations_awaiting),
    ]


def damaged_text(report: PortfolioReport) -> str:
    """The files that cannot be read, as `report` lists them (the same words)."""
    damaged = report.damaged
    if not damaged:
        return ""
    lines = [f"⚠ Damaged: {len(damaged)} file(s) cannot be read; an engagement with one is RED:"]
    return "\n".join(lines + [f"  {d.path}: {d.why}" for d in damaged])


class PortfolioScreen(GatebookScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Home", id="portfolio.back"),
        Binding("enter", "open_item", "Open", id="portfolio.open", show=False),
        Binding("r", "reload", "Refresh", id="portfolio.reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.report: PortfolioReport | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="portfolio"):
            yield Static(Content("Reading the workspace…"), id="portfolio-totals")
            yield Static(id="portfolio-damaged")
            yield ReviewList(COLUMNS, id="portfolio-items")
            yield Static(id="portfolio-flags")
            yield Static(id="portfolio-dimensions")
        yield Footer()

    AUTO_FOCUS = "#portfolio-items"

    def on_mount(self) -> None:
        self.title = "Portfolio"
        self.action_reload()

    def action_reload(self) -> None:
        self.build()

    @work(
        thread=True,
        exclusive=True,
        group="portfolio",
        exit_on_error=False,
        description="Reading the portfolio",
    )
    def build(self) -> None:
        from gatebook.engagement.lifecycle import today_of
        from gatebook.portfolio.report import build_report

        store = self.gb.store
        report = build_report([store.home], lambda _home: store, today_of(store))
        self.app.call_from_thread(self.show_report, report)

    def show_report(self, report: PortfolioReport) -> None:
        self.report = report
        totals = report.totals
        self.query_one("#portfolio-totals", Static).update(
            Content(
                f"As of {report.today}: {totals.engagements} engagements · "
                f"{totals.loose_reviews} loose reviews · {RAG_MARK['red']} {totals.red} · "
                f"{RAG_MARK['amber']} {totals.amber} · {RAG_MARK['green']} {totals.green} · "
                f"{len(report.overdue)} overdue risks · "
                f"{len(report.escalations_awaiting)} escalations waiting"
            )
        )
        damaged = self.query_one("#portfolio-damaged", Static)
        damaged.update(Content(terminal_safe(damaged_text(report))))
        damaged.display = bool(report.damaged)
        self.query_one("#portfolio-items", ReviewList).set_rows(
            [(f"{i.kind}:{i.id}", item_cells(i)) for i in report.items]
        )
        flags = [(f.title, f.reviews) for f in report.flags[:8]]
        self.query_one("#portfolio-flags", Static).update(
            Content(
                terminal_safe(
                    "\n".join(["Flags raised most (reviews):", *count_bars(flags)]) if flags else ""
                )
            )
        )
        lines = [f"  {d.id:<4} {score_bar(d.average, None, 20)}" for d in report.dimensions]
        self.query_one("#portfolio-dimensions", Static).update(
            Content("\n".join(["Average per dimension:", *lines]) if lines else "")
        )

    @on(ReviewList.Selected, "#portfolio-items")
    def _selected(self, event: ReviewList.Selected) -> None:
        self.open_key(event.key)

    def action_open_item(self) -> None:
        key = self.query_one("#portfolio-items", ReviewList).cursor_key
        if key:
            self.open_key(key)

    def open_key(self, key: str) -> None:
        kind, _, item_id = key.partition(":")
        if kind == "engagement":
            from gatebook.tui.screens.engagement import EngagementScreen

            self.app.push_screen(EngagementScreen(item_id))
        else:
            self.gb.open_review(item_id)
