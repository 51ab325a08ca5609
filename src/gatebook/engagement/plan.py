"""The combined plan of an engagement: a summary, then every member's plan.

One deterministic Markdown document (format 2, `gatebook_engagement: 2`). The
summary is derived from the members' own data and an engagement data block that
binds them: the render date, the engagement's start and overrides, the shared
questions, and each member in plan order with its stage, review digest and
`plan_digest` (the sha256 of its text between the markers) — plan_summary.py says
what is derived and how. Each member's plan follows between two HTML comments
(which a code host does not show and typed text cannot forge: every `<` a person
types is escaped), exactly as `gatebook export` writes it except that its YAML
front matter is shown as a short table (title, questionnaire, status, sign-offs),
so every member keeps verifying with its own data block and signatures
(plan_verify.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gatebook.engagement.lifecycle import Member, load_members, today_of
from gatebook.engagement.members import shared_questions
from gatebook.engagement.model import Engagement
from gatebook.engagement.plan_summary import (
    ENGAGEMENT_PLAN_FORMAT,
    PlanContent,
    PlanMember,
    SharedFact,
    derive,
    fact_row,
    option_labels,
    render_summary,
)
from gatebook.engagement.plan_text import (
    MEMBER_END,
    MEMBER_START,
    is_engagement_plan,
    text_digest,
)
from gatebook.plan.document import PlanError, parse_plan, plan_questionnaire, review_from_data
from gatebook.plan.escape import cell, inline, writable
from gatebook.plan.markdown import table
from gatebook.plan.render import render_plan
from gatebook.plan.report import ReviewReport, review_report
from gatebook.questionnaire.models import Questionnaire
from gatebook.store.canonical import content_digest, current_signoffs, sha256_of
from gatebook.store.errors import StoreError
from gatebook.store.model import Review

if TYPE_CHECKING:
    from gatebook.store.reviews import ReviewStore

__all__ = ["ENGAGEMENT_PLAN_FORMAT", "PlanRefused", "is_engagement_plan", "render_engagement_plan"]


class PlanRefused(StoreError):
    """The engagement cannot be planned as it is (exit 1): no members, a member that
    cannot be read, a member with open conflicts. Nothing is written."""


# ---- a member's chapter ---------------------------------------------------------------------


def member_table(review: Review, report: ReviewReport) -> str:
    """The member's front matter as people read it: title, questionnaire, status and
    the current sign-off of each role."""
    void = {id(v.signoff) for v in report.signoffs if v.state == "void"}
    signoffs = [
        f"{cell(s.role)}: {cell(s.name)}, {s.decision} {s.time[:10]}"
        + (" (void)" if id(s) in void else "")
        + (" (SSH-signed)" if s.signature is not None else "")
        for s in current_signoffs(review).values()
    ]
    row = [
        cell(review.title) or "Untitled review",
        f"`{review.questionnaire}` {inline(review.version, mid_line=True)}",
        report.status,
        "<br>".join(signoffs) or "none",
    ]
    return writable(table(["Title", "Questionnaire", "Status", "Sign-offs"], [row]))


def member_inner(table_text: str, rest: str) -> str:
    """The member's text between its markers: the table, then the plan after its front
    matter (`rest` starts with the blank line that follows the front matter)."""
    return f"\n{table_text}{rest}\n"


def member_chapter(review_id: str, inner: str) -> str:
    return f"{MEMBER_START.format(id=review_id)}\n{inner}{MEMBER_END.format(id=review_id)}\n"


def placed_member(
    member_id: str, stage: str | None, review: Review, questionnaire: Questionnaire
) -> Member:
    """A member as the summary reads it: its embedded review and the questionnaire its
    plan carries (which has no stage), placed at the stage the block gives it."""
    placed = questionnaire.model_copy(update={"stage": stage})
    return Member(member_id, review, placed, review_report(review, placed))


# ---- rendering -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rendered:
    member: Member
    entry: PlanMember
    chapter: str


def _refuse_unplannable(engagement: Engagement, members: list[Member]) -> None:
    if not members:
        raise PlanRefused(
            f"engagement {engagement.id} has no members: a combined plan needs at least one "
            f"(gatebook new QUESTIONNAIRE --title T --engagement {engagement.id})"
        )
    for member in members:
        if member.review is None or member.questionnaire is None:
            raise PlanRefused(
                f"engagement {engagement.id}: member {member.id} cannot be read "
                f"({member.problem or 'unreadable'}); repair or remove it "
                f"(gatebook engagement remove {engagement.id} {member.id}); nothing was written"
            )
    conflicted = [
        f"{member.id}: {conflict.field}"
        for member in members
        if member.review is not None
        for conflict in member.review.conflicts
    ]
    if conflicted:
        raise PlanRefused(
            f"engagement {engagement.id}: members have open conflicts (settle each with "
            "gatebook resolve REVIEW FIELD ...); nothing was written:\n  " + "\n  ".join(conflicted)
        )


def _render_member(member: Member) -> _Rendered:
    assert member.review is not None and member.questionnaire is not None
    plan_text = render_plan(member.review, member.questionnaire)
    try:  # the summary reads each member as `verify` will: from its plan
        parsed = parse_plan(plan_text)
        review = review_from_data(parsed.data, now="")
    except PlanError as error:
        raise PlanRefused(f"member {member.id} cannot be planned ({error})") from None
    carried = plan_questionnaire(parsed, member.id) or member.questionnaire
    placed = placed_member(member.id, member.stage, review, carried)
    assert placed.report is not None
    rest = plan_text[plan_text.index("\n---\n", 4) + 5 :]
    inner = member_inner(member_table(review, placed.report), rest)
    entry = PlanMember(
        id=member.id,
        questionnaire=review.questionnaire,
        stage=member.stage,  # type: ignore[arg-type]
        digest=content_digest(review),
        plan_digest=text_digest(inner),
    )
    return _Rendered(placed, entry, member_chapter(member.id, inner))


def shared_facts(members: list[Member], placed: list[Member]) -> dict[str, SharedFact]:
    """Every question a member's questionnaire shares, typed by the first that shares
    it, valued by the members that hold it; left out while no member answered it."""
    facts: dict[str, SharedFact] = {}
    for member in members:
        assert member.questionnaire is not None
        for qid, question in shared_questions(member.questionnaire).items():
            if qid not in facts:
                facts[qid] = SharedFact(type=question.type, labels=option_labels(question))
    for qid, fact in list(facts.items()):
        row = fact_row(placed, qid, fact)
        if row.value is None:
            del facts[qid]
        else:
            fact.value = row.value
    return dict(sorted(facts.items()))


def render_engagement_plan(reviews: ReviewStore, engagement: Engagement) -> str:
    """The combined plan, format 2; PlanRefused (exit 1, nothing written) when the
    engagement has no members, a member cannot be read or has open conflicts."""
    members = load_members(reviews, engagement)
    members = list({m.id: m for m in members}.values())  # a review listed twice counts once
    _refuse_unplannable(engagement, members)
    rendered = [_render_member(member) for member in members]
    placed = [r.member for r in rendered]
    content = PlanContent(
        id=engagement.id,
        title=engagement.title,
        start=engagement.start,
        as_of=today_of(reviews),
        overrides=engagement.overrides,
        shared=shared_facts(members, placed),
        members=[r.entry for r in rendered],
    )
    return combined_text(content, placed, [r.chapter for r in rendered])


def block_data(content: PlanContent) -> dict[str, object]:
    dumped = content.model_dump(mode="json")
    return {
        "gatebook_engagement": ENGAGEMENT_PLAN_FORMAT,
        "digest": sha256_of(dumped),
        "content": dumped,
    }


def combined_text(content: PlanContent, placed: list[Member], chapters: list[str]) -> str:
    summary = render_summary(block_data(content), content, derive(content, placed))
    return summary + "".join("\n" + chapter for chapter in chapters)
