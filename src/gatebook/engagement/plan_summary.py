"""Format 2 of the combined plan: what its engagement data block carries, and the
summary derived from that block and from the members' own data.

The block holds only what no member says: the render date (`as_of`), the
engagement's `start` and `overrides`, which questions are shared (with the type and
labels that format them), and the members in plan order with their stage and
digests. Everything else the summary shows (stage, RAG and its reasons, next step,
the reviews, the chart, the DQIs, the shared values, the risks) is derived here from
the members' embedded data, the same way when `engagement plan` writes it and when
`verify` checks it, so a summary can never say what its members do not.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from gatebook.engagement.lifecycle import (
    EngagementRisk,
    Member,
    NextStep,
    dqi_date,
    dqi_rating,
    engagement_risks,
    engagement_stage,
)
from gatebook.engagement.model import Engagement, MemberId, StageOverride
from gatebook.engagement.next_step import next_step
from gatebook.engagement.plan_text import data_details, score_chart
from gatebook.engagement.rag import Rag, rag
from gatebook.engagement.view import MemberRow, member_row
from gatebook.engine.formatting import format_value, score_text
from gatebook.plan.escape import cell, inline, writable
from gatebook.plan.markdown import table
from gatebook.plan.render import inert_scalar
from gatebook.questionnaire.ids import DOCUMENT_ID, IDENTIFIER, MAX_DOCUMENT_ID
from gatebook.questionnaire.models import Question, Questionnaire, Stage

ENGAGEMENT_PLAN_FORMAT = 2
QuestionId = Annotated[str, StringConstraints(pattern=IDENTIFIER, max_length=200)]


class SharedFact(BaseModel):
    """A shared question: its type and option labels (how it is formatted) and the
    value its members hold (re-derived by `verify`)."""

    model_config = ConfigDict(extra="ignore")  # an added key fails as an edit (exit 1)

    type: str
    labels: dict[str, str] = Field(default_factory=dict)
    value: Any = None


class PlanMember(BaseModel):
    """One member in plan order: what binds its chapter to the block."""

    model_config = ConfigDict(extra="ignore")  # an added key fails as an edit (exit 1)

    id: MemberId
    questionnaire: MemberId
    stage: Stage | None = None
    digest: str = Field(description="The review's content digest (its data block's).")
    plan_digest: str = Field(description="sha256 of the member's text between its markers.")


class PlanContent(BaseModel):
    """The engagement data block's `content` (format 2)."""

    model_config = ConfigDict(extra="ignore")  # an added key fails as an edit (exit 1)

    id: str = Field(pattern=DOCUMENT_ID, max_length=MAX_DOCUMENT_ID)
    title: str = Field(min_length=1)
    start: str
    as_of: str
    overrides: list[StageOverride] = Field(default_factory=list)
    shared: dict[QuestionId, SharedFact] = Field(default_factory=dict)
    members: list[PlanMember] = Field(default_factory=list)

    @field_validator("start", "as_of")
    @classmethod
    def _a_real_date(cls, value: str) -> str:
        if len(value) != 10:
            raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)")
        dt.date.fromisoformat(value)  # ValueError: 2026-99-99 is no date
        return value

    def engagement(self) -> Engagement:
        """The engagement as the stage rules read it (start, overrides)."""
        return Engagement(
            id=self.id,
            title=self.title,
            start=self.start,
            created=f"{self.as_of}T00:00:00Z",
            updated=f"{self.as_of}T00:00:00Z",
            members=[m.id for m in self.members],
            overrides=self.overrides,
        )


def option_labels(question: Question) -> dict[str, str]:
    return {o.value: question.option_label(o.value) for o in question.options}


def holds(questionnaire: Questionnaire | None, qid: str, fact: SharedFact) -> Question | None:
    """The member's question that shares this fact: same id, type and option labels."""
    question = questionnaire.question(qid) if questionnaire is not None else None
    if question is None or question.type != fact.type or option_labels(question) != fact.labels:
        return None
    return question


@dataclass(frozen=True)
class FactRow:
    id: str
    question: Question | None
    """The first holder's question (None: no member holds the fact)."""
    value: Any
    differs: list[tuple[str, Any]] = field(default_factory=list)
    """Members whose value is not the latest holder's: (member id, value)."""


def fact_row(members: list[Member], qid: str, fact: SharedFact) -> FactRow:
    """A shared fact from the members that hold it: the latest holder's answer (plan
    order), and each member that holds another value."""
    held = [(m, holds(m.questionnaire, qid, fact)) for m in members if m.review is not None]
    holders = [(m, q) for m, q in held if q is not None]
    if not holders:
        return FactRow(qid, None, None)
    answered = [
        (m.id, m.review.answers[qid])
        for m, _ in holders
        if m.review is not None and m.review.answers.get(qid) is not None
    ]
    value = answered[-1][1] if answered else None
    return FactRow(qid, holders[0][1], value, [(mid, v) for mid, v in answered if v != value])


@dataclass(frozen=True)
class DqiRow:
    """A Delivery Quality Inspection as the summary lists it."""

    id: str
    date: str
    rating: str | None


@dataclass(frozen=True)
class Derived:
    """What the summary shows, derived from the block and the members."""

    stage: str | None
    rag: Rag
    next_step: NextStep | None
    reviews: list[MemberRow]
    dqis: list[DqiRow]
    facts: list[FactRow]
    risks: list[EngagementRisk]


def derive(content: PlanContent, members: list[Member]) -> Derived:
    """The summary as of `as_of`, from members placed at the block's stages."""
    today = content.as_of
    return Derived(
        stage=engagement_stage(members),
        rag=rag(members, today),
        next_step=next_step(members, content.engagement(), today),
        reviews=[member_row(member) for member in members],
        dqis=[
            DqiRow(member.id, dqi_date(member), dqi_rating(member))
            for member in members
            if member.stage == "inspect"
        ],
        facts=[fact_row(members, qid, fact) for qid, fact in sorted(content.shared.items())],
        risks=engagement_risks(members),
    )


# ---- the summary's text ------------------------------------------------------------------

_MERMAID = {'"': "#quot;", "#": "#35;", "`": "#96;", "<": "#lt;", ">": "#gt;", "&": "#amp;"}


def mermaid_label(text: str) -> str:
    """A title inside a Mermaid string: entity codes for what could end the string or
    the fence or become markup; line breaks and controls become spaces."""
    flat = "".join(" " if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F else c for c in text)
    return "".join(_MERMAID.get(c, c) for c in " ".join(flat.split()))


def axis_labels(titles: list[str]) -> list[str]:
    """Each title once: a repeated one gets ` (2)`, ` (3)`..."""
    seen: dict[str, int] = {}
    labels = []
    for title in titles:
        seen[title] = seen.get(title, 0) + 1
        labels.append(title if seen[title] == 1 else f"{title} ({seen[title]})")
    return labels


_NUMBER = re.compile(r"-?\$?[0-9][0-9,]*(\.[0-9]+)?%?")


def shown_value(question: Question | None, value: Any) -> str:
    """A shared value as its question formats it; nothing (or nothing chosen) is `(none)`.
    A number we formatted (`$6,200,000`, `12.5%`) holds no markup and is shown as the app
    shows it; any other text is escaped."""
    if value is None or value == []:
        return "(none)"
    text = format_value(question, value)
    return text if _NUMBER.fullmatch(text) else cell(text)


def _facts(facts: list[FactRow]) -> list[str]:
    rows = []
    for fact in facts:
        question = fact.question
        named = f"`{fact.id}`"
        if question is not None and question.prompt:
            named = f"{cell(question.prompt)} ({named})"
        value = shown_value(question, fact.value)
        for member_id, other in fact.differs:
            value += f"<br>*differs in* `{member_id}`: {shown_value(question, other)}"
        rows.append([named, value])
    if not rows:
        return ["No shared answers yet."]
    return [table(["Question", "Value"], rows).rstrip("\n")]


def _chart(reviews: list[MemberRow]) -> list[str]:
    scored = [m for m in reviews if m.target is not None]
    if not scored:
        return []
    titles = axis_labels([str(m.title or m.id) for m in scored])
    return score_chart(
        [f'"{mermaid_label(title)}"' for title in titles],
        [score_text(m.overall or 0) for m in scored],
        [score_text(m.target) for m in scored],
    )


def reviews_table(reviews: list[MemberRow]) -> list[str]:
    rows = [
        [
            m.stage or "-",
            f"`{m.id}`",
            cell(m.title or ""),
            f"`{m.questionnaire}`",
            m.status,
            str(m.high),
            str(m.medium),
            score_text(m.overall),
            score_text(m.target),
        ]
        for m in reviews
    ]
    headers = ["Stage", "Review", "Title", "Questionnaire", "Status", "High", "Medium"]
    return [table([*headers, "Score", "Target"], rows).rstrip("\n")]


def _dqis(inspections: list[DqiRow]) -> list[str]:
    dqis = sorted(inspections, key=lambda d: (d.date, d.id))
    if not dqis:
        return []
    rows = [[d.date or "not dated", f"`{d.id}`", (d.rating or "not rated").upper()] for d in dqis]
    return [
        "",
        "## Delivery Quality Inspections",
        "",
        table(["Date", "Review", "Rating"], rows).rstrip("\n"),
    ]


def _risks(risks: list[EngagementRisk]) -> list[str]:
    if not risks:
        return ["No risks recorded."]
    rows = [
        [
            (r.row.severity or "-").upper(),
            cell(r.row.title or r.row.id),
            f"`{r.review}/{r.row.id}`",
            r.row.status,
            cell(r.row.owner) if r.row.owner else "-",
            r.row.due or "-",
            f"`{r.row.origin}`" if r.row.origin else "-",
        ]
        for r in risks
    ]
    headers = ["Severity", "Risk", "Row", "Status", "Owner", "Due", "Carried from"]
    return [table(headers, rows).rstrip("\n")]


def render_summary(data: dict[str, Any], content: PlanContent, derived: Derived) -> str:
    """The front matter and summary of a format-2 combined plan, then its data block."""
    status = derived.rag.status
    front = [
        "---",
        'gatebook: "engagement-plan"',
        f"engagement: {inert_scalar(content.id)}",
        f"title: {inert_scalar(content.title)}",
        f"status: {inert_scalar(status)}",
        f"as_of: {inert_scalar(content.as_of)}",
        f"digest: {inert_scalar(data['digest'])}",
        "---",
        "",
    ]
    about = f"engagement `{content.id}` · started {content.start} · as of {content.as_of}"
    customer = next((f.value for f in derived.facts if f.id == "customer"), None)
    if isinstance(customer, str) and customer.strip():
        about = f"{inline(customer)} · {about}"
    lines = [*front, f"# {inline(content.title) or 'Engagement'}", "", about, ""]
    lines += ["## Engagement Summary", "", f"- Status: **{status.upper()}**"]
    lines += [f"  - {inline(reason, mid_line=True)}" for reason in derived.rag.reasons]
    lines.append(f"- Stage: {derived.stage or 'not started'}")
    step = derived.next_step
    if step is not None:
        lines.append(
            f"- Next step: {step.stage} (`{step.questionnaire}`): "
            f"{inline(step.reason, mid_line=True)}"
        )
    else:
        lines.append("- Next step: none, the engagement is closed")
    reviews = derived.reviews
    lines += ["", "## Reviews", "", *reviews_table(reviews), *_chart(reviews), *_dqis(derived.dqis)]
    lines += ["", "## Shared Facts", "", *_facts(derived.facts)]
    lines += ["", "## Engagement Risk Register", "", *_risks(derived.risks)]
    lines += data_details(data)
    return writable("\n".join(lines) + "\n")  # a stored lone surrogate: escaped, not a crash
