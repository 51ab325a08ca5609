"""Where an engagement stands: its members in life-cycle order, its stage, what each
stage's gate needs, its live register and its DQIs (docs/contracts.md "Engagements");
next_step.py, rag.py and kpis.py build on these.

Computed from the member reviews every time, never stored: the CLI, the app, the
combined plan and the portfolio all call these functions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gatebook.engine import Evaluation
from gatebook.engine.register import RegisterRow
from gatebook.questionnaire.models import DELIVERY_STAGES, OKR_STAGES, STAGES, Questionnaire
from gatebook.store.model import Review

if TYPE_CHECKING:
    from gatebook.engagement.model import Engagement
    from gatebook.plan.report import ReviewReport
    from gatebook.store.reviews import ReviewStore

STAGE_QUESTIONNAIRE = {
    "validation": "oqr",
    "sow": "pesa",
    "handover": "s2d",
    "launch": "kickoff",
    "inspect": "dqi",
    "close": "close",
    "intake": "okr-intake",
    "plan": "okr-plan",
    "measure": "okr-review",
}
"""The built-in questionnaire of each stage: what the next step proposes."""
DQI_WINDOW_DAYS = 120


@dataclass
class Member:
    """One member review as the engagement sees it (or why it cannot be read)."""

    id: str
    review: Review | None = None
    questionnaire: Questionnaire | None = None
    report: ReviewReport | None = None
    problem: str | None = None
    """The whole message (what `engagement show` prints on stderr)."""
    unreadable: str | None = None
    """Why the member could not be read or evaluated, short (the RAG reason's words)."""
    damaged_file: bool = False
    """The review file itself is missing or damaged (the portfolio lists it)."""

    @property
    def stage(self) -> str | None:
        return self.questionnaire.stage if self.questionnaire is not None else None

    @property
    def evaluation(self) -> Evaluation | None:
        return self.report.evaluation if self.report is not None else None

    @property
    def status(self) -> str:
        return self.report.status if self.report is not None else "unreadable"

    def sort_key(self) -> tuple[int, str, str]:
        stage = self.stage
        rank = STAGES.index(stage) if stage in STAGES else len(STAGES)
        return (rank, self.review.created if self.review else "", self.id)


def load_member(reviews: ReviewStore, review_id: str, *, evaluated: bool = True) -> Member:
    """One review as the engagement sees it: read once, evaluated (unless `evaluated`
    is False: a shared answer only needs the questionnaire and the sign-offs), or why
    it cannot be (a file gone or unreadable is reported, never raised)."""
    from gatebook.plan.report import review_report
    from gatebook.questionnaire.problems import SourceError
    from gatebook.store.errors import InvalidReviewId, ReviewNotFound, StoreError, UnreadableReview

    member = Member(review_id)
    try:
        member.review = reviews.get(review_id)
        member.questionnaire = reviews.questionnaire_for(member.review)
        if evaluated:
            member.report = review_report(member.review, member.questionnaire)
    except UnreadableReview as error:
        member.problem, member.unreadable, member.damaged_file = str(error), error.reason, True
    except (ReviewNotFound, InvalidReviewId) as error:
        member.problem, member.damaged_file = str(error), True
        member.unreadable = (
            "the file is missing" if isinstance(error, ReviewNotFound) else "not a review id"
        )
    except SourceError as error:
        member.problem = str(error)
        first = next(iter(str(error).splitlines()), "")
        member.unreadable = f"questionnaire unavailable: {first}"
    except StoreError as error:
        member.problem = member.unreadable = str(error)
    return member


def load_members(reviews: ReviewStore, engagement: Engagement) -> list[Member]:
    """Every member once (a review listed twice counts once), in life-cycle order (a
    questionnaire without a stage last)."""
    members = [load_member(reviews, review_id) for review_id in unique_members(engagement)]
    return sorted(members, key=Member.sort_key)


def unique_members(engagement: Engagement) -> list[str]:
    """The member ids in the order they joined, each once (a hand edit or a merge may
    list one twice)."""
    return list(dict.fromkeys(engagement.members))


def today_of(reviews: ReviewStore) -> str:
    """Today, from the store's clock (tests fix it)."""
    return reviews.clock()[:10]


def age_days(engagement: Engagement, today: str) -> int:
    start = dt.date.fromisoformat(engagement.start)
    return (dt.date.fromisoformat(today) - start).days


def engagement_stage(members: list[Member]) -> str | None:
    """The furthest stage with a member on the delivery track, else on the OKR track."""
    for track in (DELIVERY_STAGES, OKR_STAGES):
        present = [track.index(m.stage) for m in members if m.stage in track]
        if present:
            return track[max(present)]
    return None


def _signed(members: list[Member], stage: str) -> bool:
    return any(m.stage == stage and m.status == "signed" for m in members)


PESA_REQUIRED = "the PESA is required before the SOW"
"""Why the PESA comes first from the handover on (seed 001: required for all SOWs)."""


@dataclass(frozen=True)
class Requirement:
    """What a stage's gate needs of an earlier stage: a signed member there (or only a
    member, `signed` False), and the words that say so."""

    stage: str
    signed: bool
    message: str


def requirements(
    stage: str, members: list[Member], engagement: Engagement, today: str
) -> list[Requirement]:
    """Everything the stage gate into `stage` needs (met or not), in life-cycle order:
    `handover` a signed OQR, `launch` a signed S2D, every stage from `handover` on a
    signed PESA, `close` a DQI once the engagement is over 120 days old."""
    needs: list[Requirement] = []
    if stage == "handover":
        needs.append(
            Requirement(
                "validation",
                True,
                "the S2D handover expects a signed OQR (approved or approved with conditions)",
            )
        )
    if stage in DELIVERY_STAGES and DELIVERY_STAGES.index(stage) >= DELIVERY_STAGES.index(
        "handover"
    ):
        needs.append(Requirement("sow", True, PESA_REQUIRED))
    if stage == "launch":
        needs.append(Requirement("handover", True, "the kickoff expects a signed S2D handover"))
    if stage == "close" and age_days(engagement, today) > DQI_WINDOW_DAYS:
        needs.append(
            Requirement(
                "inspect",
                False,
                f"the engagement is {age_days(engagement, today)} days old: close expects at "
                "least one Delivery Quality Inspection",
            )
        )
    return needs


def met(requirement: Requirement, members: list[Member]) -> bool:
    if requirement.signed:
        return _signed(members, requirement.stage)
    return any(m.stage == requirement.stage for m in members)


def stage_gate(stage: str, members: list[Member], engagement: Engagement, today: str) -> str | None:
    """What a stage expects and is missing (None: it may start). Not a lock: `new`
    warns, and an override recorded in the engagement silences it."""
    if stage in ("plan", "measure"):  # issue 33: okr
        from gatebook.engagement.okr import okr_stage_gate

        return okr_stage_gate(stage, members)
    missing = [
        need.message
        for need in requirements(stage, members, engagement, today)
        if not met(need, members)
    ]
    return "; ".join(missing) if missing else None


def overridden(engagement: Engagement, stage: str) -> str | None:
    return next((o.reason for o in reversed(engagement.overrides) if o.stage == stage), None)


@dataclass(frozen=True)
class NextStep:
    stage: str
    questionnaire: str
    reason: str
    review: str | None = None
    """The member to sign (`reason: "sign REVIEW_ID: ..."`), not a stage to start; not
    in the JSON."""

    def to_json(self) -> dict[str, str]:
        return {"stage": self.stage, "questionnaire": self.questionnaire, "reason": self.reason}


def gated_step(
    stage: str, why: str, members: list[Member], engagement: Engagement, today: str
) -> NextStep:
    missing = stage_gate(stage, members, engagement, today)
    reason = why
    if missing is not None:
        override = overridden(engagement, stage)
        reason = f"{why}; started early: {override}" if override else f"{why}; waiting: {missing}"
    return NextStep(stage, STAGE_QUESTIONNAIRE[stage], reason)


def okr_next_step(okr: list[Member], engagement: Engagement) -> NextStep | None:
    """The OKR track: intake -> plan -> checkpoints (engagement/okr.py)."""
    from gatebook.engagement.okr import okr_next

    step = okr_next(okr, engagement)
    return NextStep(*step) if step is not None else None


def carried_origins(members: list[Member]) -> set[str]:
    """`REVIEW/ROW` of every row a later member carried on (its latest row stands)."""
    return {
        row.origin
        for member in members
        if member.evaluation is not None
        for row in member.evaluation.register
        if row.origin
    }


@dataclass(frozen=True)
class EngagementRisk:
    """A register row as the engagement shows it: the row and the member it is in."""

    review: str
    row: RegisterRow

    def to_json(self) -> dict[str, Any]:
        return {**self.row.to_json(), "review": self.review}


def engagement_risks(members: list[Member]) -> list[EngagementRisk]:
    """The live rows: every member's register rows, each risk once, as its latest-stage
    row (a row a later stage carried on is superseded by that stage's row)."""
    superseded = carried_origins(members)
    return [
        EngagementRisk(member.id, row)
        for member in members
        if member.evaluation is not None
        for row in member.evaluation.register
        if f"{member.id}/{row.id}" not in superseded
    ]


# ---- inspections ----------------------------------------------------------------------


def dqi_rating(member: Member) -> str | None:
    """A DQI's rating: red when it raises a high flag, amber when a medium one, else
    green; None until its inspection date is answered."""
    if member.review is None or member.evaluation is None:
        return None
    if not member.review.answers.get("inspection_date"):
        return None
    severities = {flag.severity for flag in member.evaluation.flags}
    if "high" in severities:
        return "red"
    if "medium" in severities:
        return "amber"
    return "green"


def dqi_date(member: Member) -> str:
    """The DQI's inspection date; its creation date while that is unanswered or, hand
    edited, not a date (so the inspection loop goes on; issue 33: compat)."""
    date = member.review.answers.get("inspection_date") if member.review else None
    if isinstance(date, str) and _is_date(date):
        return date
    return member.review.created[:10] if member.review else ""


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text[:10])
    except ValueError:
        return False
    return True


def latest_dqi(members: list[Member]) -> Member | None:
    dqis = [m for m in members if m.stage == "inspect" and m.review is not None]
    return max(
        dqis, key=lambda m: (dqi_date(m), m.review.created if m.review else ""), default=None
    )
