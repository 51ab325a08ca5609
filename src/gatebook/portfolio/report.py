"""Build the portfolio from workspaces: every engagement and every loose review once,
each review file read once. Pure of any screen: the CLI prints it, the app draws it.

A file it cannot read is listed under `damaged` (never left out silently), and an
engagement with such a member is red: damage never hides red."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from gatebook.engagement.kpis import Kpis, kpis, mean_kpis
from gatebook.engagement.lifecycle import (
    EngagementRisk,
    Member,
    engagement_risks,
    engagement_stage,
    load_member,
    unique_members,
)
from gatebook.engagement.rag import rag
from gatebook.engagement.store import EngagementStore
from gatebook.engagement.view import engagement_view
from gatebook.engine.flags import count_severities

if TYPE_CHECKING:
    from gatebook.store.reviews import ReviewStore

RAG_ORDER = {"red": 0, "amber": 1, "green": 2}


@dataclass(frozen=True)
class Overdue:
    """A live register row past its due date, still open or being mitigated."""

    workspace: str
    review: str
    row: str
    title: str
    severity: str | None
    due: str
    status: str
    owner: str | None


@dataclass(frozen=True)
class Figures:
    """The numbers of one item: the latest scored member's score, the flags raised,
    the overdue rows and the escalations awaiting a decision."""

    overall: float | None
    target: float | None
    high: int
    medium: int
    overdue: int
    escalations_awaiting: int


@dataclass(frozen=True)
class PortfolioItem:
    """An engagement or a loose review, as the portfolio lists it."""

    kind: Literal["engagement", "review"]
    workspace: str
    id: str
    title: str
    customer: str | None
    questionnaire: str | None
    stage: str | None
    rag: str
    rag_reasons: tuple[str, ...]
    figures: Figures
    reviews: tuple[str, ...]
    kpis: Kpis

    def to_json(self) -> dict[str, Any]:
        """One of `report --format json`'s items: the figures flat, before `reviews`;
        the success metrics last."""
        data = asdict(self)
        figures, reviews, metrics = data.pop("figures"), data.pop("reviews"), data.pop("kpis")
        return {
            **data,
            "rag_reasons": list(self.rag_reasons),
            **figures,
            "reviews": list(reviews),
            "kpis": metrics,
        }

    def sort_key(self) -> tuple[int, float, str]:
        """RAG (red first), then score (lowest first, unscored last), then id."""
        overall = self.figures.overall
        return (RAG_ORDER.get(self.rag, 3), overall if overall is not None else 1000.0, self.id)


@dataclass(frozen=True)
class Totals:
    engagements: int
    loose_reviews: int
    reviews: int
    red: int
    amber: int
    green: int
    kpis: Kpis
    """Each success metric's mean over the items that know it (one decimal)."""


@dataclass(frozen=True)
class EscalationAwaiting:
    review: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class FlagCount:
    """A flag and how many reviews raise it."""

    id: str
    title: str
    category: str
    severity: str
    reviews: int


@dataclass(frozen=True)
class DimensionAverage:
    id: str
    average: float
    reviews: int


@dataclass(frozen=True)
class DamagedFile:
    """A file the portfolio cannot read, and why (never left out silently)."""

    path: str
    why: str


@dataclass(frozen=True)
class PortfolioReport:
    """What `report` prints (text, JSON, Markdown) and the portfolio screen draws."""

    today: str
    workspaces: tuple[str, ...]
    questionnaire: str | None
    totals: Totals
    items: tuple[PortfolioItem, ...]
    overdue: tuple[Overdue, ...]
    escalations_awaiting: tuple[EscalationAwaiting, ...]
    flags: tuple[FlagCount, ...]
    dimensions: tuple[DimensionAverage, ...]
    damaged: tuple[DamagedFile, ...]

    def to_json(self) -> dict[str, Any]:
        """`report --format json`: `damaged` only when a file could not be read (a clean
        workspace reports as it always did)."""
        data: dict[str, Any] = {
            "today": self.today,
            "workspaces": list(self.workspaces),
            "questionnaire": self.questionnaire,
            "totals": asdict(self.totals),
            "items": [item.to_json() for item in self.items],
            "overdue": [asdict(row) for row in self.overdue],
            "escalations_awaiting": [
                {"review": e.review, "reasons": list(e.reasons)} for e in self.escalations_awaiting
            ],
            "flags": [asdict(flag) for flag in self.flags],
            "dimensions": [asdict(dimension) for dimension in self.dimensions],
        }
        if self.damaged:
            data["damaged"] = [asdict(entry) for entry in self.damaged]
        return data


def _figures(
    members: list[Member], today: str, workspace: str, risks: list[EngagementRisk]
) -> tuple[Figures, list[Overdue]]:
    """The item's figures, and its overdue rows (the report lists them together)."""
    overdue = [
        Overdue(
            workspace,
            risk.review,
            risk.row.id,
            risk.row.title,
            risk.row.severity,
            str(risk.row.due),
            risk.row.status,
            risk.row.owner or None,
        )
        for risk in risks
        if risk.row.past_due(today)
    ]
    evaluated = [m for m in members if m.evaluation is not None and m.report is not None]
    counts = count_severities(
        f.severity for m in evaluated if m.evaluation is not None for f in m.evaluation.flags
    )
    waiting = sum(1 for m in evaluated if m.report is not None and m.report.escalation.due)
    scored = [m.evaluation for m in members if m.evaluation and m.evaluation.overall is not None]
    latest = scored[-1] if scored else None
    figures = Figures(
        overall=latest.overall if latest else None,
        target=latest.target if latest else None,
        high=counts.high,
        medium=counts.medium,
        overdue=len(overdue),
        escalations_awaiting=waiting,
    )
    return figures, overdue


def build_report(
    homes: list[Path],
    make_store: Callable[[Path], ReviewStore],
    today: str,
    questionnaire: str | None = None,
) -> PortfolioReport:
    """`make_store(home)` opens a workspace's store (the CLI's and the tests' own)."""
    items: list[PortfolioItem] = []
    overdue: list[Overdue] = []
    seen = _Seen()
    damaged: dict[str, str] = {}
    for home in homes:
        store = make_store(home)
        workspace = str(home)
        estore = EngagementStore(store)
        listed = estore.listed()
        for broken in listed:
            if broken.engagement is None:
                damaged[str(estore.folder / f"{broken.id}.json")] = broken.why or "unreadable"
        engagements = [item.engagement for item in listed if item.engagement is not None]
        in_engagements: set[str] = set()
        for engagement in engagements:
            members = [
                load_member(store, rid)
                for rid in unique_members(engagement)
                if rid not in in_engagements
            ]
            in_engagements.update(engagement.members)
            damaged.update(_damaged(store, members))
            if questionnaire:  # a damaged member's questionnaire is unknown: it stays
                members = [
                    m
                    for m in members
                    if m.review is None or m.review.questionnaire == questionnaire
                ]
                if not members:
                    continue
            members = sorted(members, key=Member.sort_key)
            view = engagement_view(store, engagement, members, today)
            figures, late = _figures(members, today, workspace, list(view.risks))
            overdue += late
            seen.add(members)
            items.append(
                PortfolioItem(
                    kind="engagement",
                    workspace=workspace,
                    id=engagement.id,
                    title=engagement.title,
                    customer=view.customer,
                    questionnaire=None,
                    stage=view.stage,
                    rag=view.status,
                    rag_reasons=view.status_reasons,
                    figures=figures,
                    reviews=tuple(m.id for m in members),
                    kpis=view.kpis,
                )
            )
        for review_id in store.ids():
            if review_id in in_engagements:
                continue
            member = load_member(store, review_id)
            if member.review is None:
                damaged.update(_damaged(store, [member]))
                continue
            if questionnaire and member.review.questionnaire != questionnaire:
                continue
            risks = engagement_risks([member])
            status = rag([member], today, risks)
            figures, late = _figures([member], today, workspace, risks)
            overdue += late
            seen.add([member])
            items.append(
                PortfolioItem(
                    kind="review",
                    workspace=workspace,
                    id=review_id,
                    title=member.review.title,
                    customer=member.review.subject or None,
                    questionnaire=member.review.questionnaire,
                    stage=engagement_stage([member]),
                    rag=status.status,
                    rag_reasons=tuple(status.reasons),
                    figures=figures,
                    reviews=(review_id,),
                    kpis=kpis([member], risks),
                )
            )
    items.sort(key=PortfolioItem.sort_key)
    return PortfolioReport(
        today=today,
        workspaces=tuple(str(home) for home in homes),
        questionnaire=questionnaire,
        totals=Totals(
            engagements=sum(1 for i in items if i.kind == "engagement"),
            loose_reviews=sum(1 for i in items if i.kind == "review"),
            reviews=seen.reviews,
            red=sum(1 for i in items if i.rag == "red"),
            amber=sum(1 for i in items if i.rag == "amber"),
            green=sum(1 for i in items if i.rag == "green"),
            kpis=mean_kpis([item.kpis for item in items]),
        ),
        items=tuple(items),
        overdue=tuple(sorted(overdue, key=lambda o: (o.due, o.review, o.row))),
        escalations_awaiting=tuple(sorted(seen.escalations, key=lambda e: e.review)),
        flags=seen.flag_ranking(),
        dimensions=seen.dimension_averages(),
        damaged=tuple(DamagedFile(path, why) for path, why in sorted(damaged.items())),
    )


def _damaged(store: ReviewStore, members: list[Member]) -> dict[str, str]:
    """The review files of `members` that are missing or cannot be read, with why."""
    return {
        str(store.reviews_dir / f"{m.id}.json"): m.unreadable or "unreadable"
        for m in members
        if m.damaged_file
    }


@dataclass
class _Seen:
    """What the report sums over every review it saw, taken as the members go by: a
    member's review and evaluation are let go once its item is built (a thousand kept
    alive to the end made the collector's passes a sixth of the report's time)."""

    reviews: int = 0
    escalations: list[EscalationAwaiting] = field(default_factory=list)
    flag_counts: Counter[str] = field(default_factory=Counter)
    flag_titles: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    scores: defaultdict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    def add(self, members: list[Member]) -> None:
        for member in members:
            self.reviews += 1
            if member.report is not None and member.report.escalation.due:
                reasons = tuple(member.report.escalation.reasons)
                self.escalations.append(EscalationAwaiting(member.id, reasons))
            if member.evaluation is None:
                continue
            for flag in member.evaluation.flags:
                self.flag_counts[flag.id] += 1
                self.flag_titles.setdefault(flag.id, (flag.title, flag.category, flag.severity))
            for dimension, score in member.evaluation.scores.items():
                if score is not None:
                    self.scores[dimension].append(score)

    def flag_ranking(self) -> tuple[FlagCount, ...]:
        ranked = sorted(self.flag_counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return tuple(FlagCount(fid, *self.flag_titles[fid], reviews=count) for fid, count in ranked)

    def dimension_averages(self) -> tuple[DimensionAverage, ...]:
        return tuple(
            DimensionAverage(did, round(sum(values) / len(values), 1), len(values))
            for did, values in sorted(self.scores.items())
        )
