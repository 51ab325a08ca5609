"""Build the portfolio from workspaces: every engagement and every loose review once,
each review file read once. Pure of any screen: the CLI prints it, the app draws it.

A file it cannot read is listed under `damaged` (never left out silently), and an
engagement with such a member is red: damage never hides red."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gatebook.engagement.lifecycle import (
    Member,
    carried_origins,
    engagement_stage,
    load_member,
    rag,
    unique_members,
)
from gatebook.engagement.store import EngagementStore
from gatebook.engagement.view import engagement_view

if TYPE_CHECKING:
    from gatebook.store.reviews import ReviewStore

RAG_ORDER = {"red": 0, "amber": 1, "green": 2}


@dataclass(frozen=True)
class Overdue:
    workspace: str
    review: str
    row: str
    title: str
    severity: str | None
    due: str
    status: str
    owner: str | None


def _figures(members: list[Member], today: str, workspace: str) -> dict[str, Any]:
    overdue: list[Overdue] = []
    waiting = 0
    high = medium = 0
    superseded = carried_origins(members)
    for member in members:
        evaluation = member.evaluation
        if evaluation is None or member.report is None:
            continue
        high += sum(1 for f in evaluation.flags if f.severity == "high")
        medium += sum(1 for f in evaluation.flags if f.severity == "medium")
        waiting += 1 if member.report.escalation.due else 0
        for row in evaluation.register:
            if f"{member.id}/{row.id}" in superseded:
                continue
            if row.due and row.due < today and row.status in ("open", "mitigating"):
                overdue.append(
                    Overdue(
                        workspace,
                        member.id,
                        row.id,
                        row.title,
                        row.severity,
                        row.due,
                        row.status,
                        row.owner or None,
                    )
                )
    scored = [m.evaluation for m in members if m.evaluation and m.evaluation.overall is not None]
    latest = scored[-1] if scored else None
    return {
        "overall": latest.overall if latest else None,
        "target": latest.target if latest else None,
        "high": high,
        "medium": medium,
        "overdue": len(overdue),
        "escalations_awaiting": waiting,
        "_overdue": overdue,
    }


def build_report(
    homes: list[Path],
    make_store: Callable[[Path], ReviewStore],
    today: str,
    questionnaire: str | None = None,
) -> dict[str, Any]:
    """`make_store(home)` opens a workspace's store (the CLI's and the tests' own)."""
    items: list[dict[str, Any]] = []
    overdue: list[Overdue] = []
    reviews_seen: list[Member] = []
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
            figures = _figures(members, today, workspace)
            overdue += figures.pop("_overdue")
            reviews_seen += members
            items.append(
                {
                    "kind": "engagement",
                    "workspace": workspace,
                    "id": engagement.id,
                    "title": engagement.title,
                    "customer": view["customer"],
                    "questionnaire": None,
                    "stage": view["stage"],
                    "rag": view["status"],
                    "rag_reasons": view["status_reasons"],
                    **figures,
                    "reviews": [m.id for m in members],
                }
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
            status = rag([member], today)
            figures = _figures([member], today, workspace)
            overdue += figures.pop("_overdue")
            reviews_seen.append(member)
            items.append(
                {
                    "kind": "review",
                    "workspace": workspace,
                    "id": review_id,
                    "title": member.review.title,
                    "customer": member.review.subject or None,
                    "questionnaire": member.review.questionnaire,
                    "stage": engagement_stage([member]),
                    "rag": status.status,
                    "rag_reasons": status.reasons,
                    **figures,
                    "reviews": [review_id],
                }
            )
    items.sort(key=lambda i: (RAG_ORDER.get(i["rag"], 3), _score_key(i["overall"]), i["id"]))
    report: dict[str, Any] = {
        "today": today,
        "workspaces": [str(home) for home in homes],
        "questionnaire": questionnaire,
        "totals": {
            "engagements": sum(1 for i in items if i["kind"] == "engagement"),
            "loose_reviews": sum(1 for i in items if i["kind"] == "review"),
            "reviews": len(reviews_seen),
            "red": sum(1 for i in items if i["rag"] == "red"),
            "amber": sum(1 for i in items if i["rag"] == "amber"),
            "green": sum(1 for i in items if i["rag"] == "green"),
        },
        "items": items,
        "overdue": [o.__dict__ for o in sorted(overdue, key=lambda o: (o.due, o.review, o.row))],
        "escalations_awaiting": [
            {"review": m.id, "reasons": m.report.escalation.reasons}
            for m in sorted(reviews_seen, key=lambda m: m.id)
            if m.report is not None and m.report.escalation.due
        ],
        "flags": _flag_ranking(reviews_seen),
        "dimensions": _dimension_averages(reviews_seen),
    }
    if damaged:  # left out while empty: a clean workspace reports as it always did
        report["damaged"] = [{"path": path, "why": why} for path, why in sorted(damaged.items())]
    return report


def _damaged(store: ReviewStore, members: list[Member]) -> dict[str, str]:
    """The review files of `members` that are missing or cannot be read, with why."""
    return {
        str(store.reviews_dir / f"{m.id}.json"): m.unreadable or "unreadable"
        for m in members
        if m.damaged_file
    }


def _score_key(overall: float | None) -> float:
    return overall if overall is not None else 1000.0


def _flag_ranking(members: list[Member]) -> list[dict[str, Any]]:
    counts: Counter[str] = Counter()
    titles: dict[str, tuple[str, str, str]] = {}
    for member in members:
        if member.evaluation is None:
            continue
        for flag in member.evaluation.flags:
            counts[flag.id] += 1
            titles.setdefault(flag.id, (flag.title, flag.category, flag.severity))
    return [
        {
            "id": fid,
            "title": titles[fid][0],
            "category": titles[fid][1],
            "severity": titles[fid][2],
            "reviews": count,
        }
        for fid, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def _dimension_averages(members: list[Member]) -> list[dict[str, Any]]:
    scores: dict[str, list[float]] = defaultdict(list)
    for member in members:
        if member.evaluation is None:
            continue
        for dimension, score in member.evaluation.scores.items():
            if score is not None:
                scores[dimension].append(score)
    return [
        {"id": did, "average": round(sum(values) / len(values), 1), "reviews": len(values)}
        for did, values in sorted(scores.items())
    ]
