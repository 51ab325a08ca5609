"""The delivery track's next step (docs/contracts.md "Engagements", next step): the
earliest stage whose requirement is unmet — the PESA first, since every stage from
the handover on needs it signed —, else the stage after the furthest one present,
with another DQI until the latest answers `ready_to_close: yes`; null once a signed
close exists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from gatebook.engagement.cadence import next_dqi_due, ready_to_close
from gatebook.engagement.lifecycle import (
    PESA_REQUIRED,
    STAGE_QUESTIONNAIRE,
    Member,
    NextStep,
    Requirement,
    gated_step,
    latest_dqi,
    met,
    okr_next_step,
    requirements,
)
from gatebook.questionnaire.models import DELIVERY_STAGES, OKR_STAGES
from gatebook.store.canonical import roles_to_sign

if TYPE_CHECKING:
    from gatebook.engagement.model import Engagement

WHY = {
    "validation": "start with the OQR during technical validation",
    "sow": PESA_REQUIRED,
    "handover": "the SOW stage is in place; hand over from sales to delivery",
    "launch": "the handover is in place; prepare Sprint 0 and the customer kickoff",
    "inspect": "delivery is running; inspect it between days 120 and 365",
    "close": "inspections are under way; close when delivered",
}
"""Why the stage after the furthest one present comes next."""


def next_step(members: list[Member], engagement: Engagement, today: str) -> NextStep | None:
    """The stage that comes next, its questionnaire, and why (with what it is missing);
    None when the engagement is closed (or every OKR checkpoint is measured)."""
    delivery = [m for m in members if m.stage in DELIVERY_STAGES]
    okr = [m for m in members if m.stage in OKR_STAGES]
    if okr and not delivery:
        return okr_next_step(okr, engagement)
    return delivery_next_step(delivery, engagement, today)


def signed_close(members: list[Member]) -> Member | None:
    """The latest close-stage member whose status is `signed` (the engagement is closed)."""
    closes = [m for m in members if m.stage == "close" and m.status == "signed"]
    return max(closes, key=Member.sort_key, default=None)


def delivery_next_step(
    members: list[Member], engagement: Engagement, today: str
) -> NextStep | None:
    """`members`: the delivery track's, in life-cycle order."""
    if signed_close(members) is not None:
        return None
    present = sorted({DELIVERY_STAGES.index(m.stage) for m in members if m.stage})
    if not present:
        return gated_step("validation", WHY["validation"], members, engagement, today)
    unmet = _unmet(members, engagement, today, present)
    if unmet is not None:
        return _meet(unmet, members)
    furthest = DELIVERY_STAGES[present[-1]]
    if furthest == "close":
        close = max((m for m in members if m.stage == "close"), key=Member.sort_key)
        why = f"sign {close.id}: the engagement is closed once its close is signed"
        return NextStep("close", STAGE_QUESTIONNAIRE["close"], why, close.id)
    if furthest == "inspect":
        due = next_dqi_due(members)
        if due is not None:
            reason = f"next inspection due {due[1]}"
            return gated_step("inspect", reason, members, engagement, today)
        dqi = latest_dqi(members)
        if dqi is not None and ready_to_close(dqi):
            why = f"{dqi.id} says the delivery is ready to close"
            return gated_step("close", why, members, engagement, today)
    stage = DELIVERY_STAGES[present[-1] + 1]
    return gated_step(stage, WHY[stage], members, engagement, today)


def _unmet(
    members: list[Member], engagement: Engagement, today: str, present: list[int]
) -> Requirement | None:
    """The requirement to meet first: the PESA's once anything from the SOW on is there
    (the handover's gate needs it next), else the earliest stage a present stage's gate
    needs and does not have."""
    needs = [
        need
        for index in present
        for need in requirements(DELIVERY_STAGES[index], members, engagement, today)
    ]
    if present[-1] >= DELIVERY_STAGES.index("sow"):
        needs += [
            n for n in requirements("handover", members, engagement, today) if n.stage == "sow"
        ]
    unmet = [need for need in needs if not met(need, members)]
    pesa = [need for need in unmet if need.stage == "sow"]
    if pesa:
        return pesa[0]
    return min(unmet, key=lambda need: DELIVERY_STAGES.index(need.stage), default=None)


def _meet(need: Requirement, members: list[Member]) -> NextStep:
    """Start the stage's questionnaire when no member is there, else sign its latest."""
    there = [m for m in members if m.stage == need.stage]
    questionnaire = STAGE_QUESTIONNAIRE[need.stage]
    if not there:
        return NextStep(need.stage, questionnaire, need.message)
    latest = max(there, key=Member.sort_key)
    return NextStep(need.stage, questionnaire, f"sign {latest.id}: {need.message}", latest.id)


def roles_to_sign_next(step: NextStep | None, members: Sequence[Member]) -> tuple[str, ...]:
    """Whose sign-off the member a `sign REVIEW_ID: ...` step names still waits for
    (store/canonical.py `roles_to_sign`): the app says them after the id. The step's
    `reason` stays as it is: it is in `engagement show --format json` and in every
    combined plan's summary, which `verify` re-derives byte for byte."""
    if step is None:
        return ()
    signing = step.review or next(  # the OKR track's steps name the member in the reason
        (m.id for m in members if step.reason.startswith(f"sign {m.id}: ")), None
    )
    member = next((m for m in members if m.id == signing), None)
    if member is None or member.review is None:
        return ()
    return tuple(roles_to_sign(member.review, member.questionnaire))


def with_roles(reason: str, roles: Sequence[str]) -> str:
    """A `sign REVIEW_ID: WORDS` reason as the app shows it, naming who is still to
    sign: `sign REVIEW_ID as ROLE: WORDS` (`as A and B`, `as A, B and C`). The reason
    it extends is unchanged after the roles, so what matches the contract's text still
    matches; any other reason, or no roles, comes back as it was."""
    head, colon, words = reason.partition(": ")
    if not roles or not colon or not head.startswith("sign ") or " " in head[5:]:
        return reason
    named = roles[0] if len(roles) == 1 else f"{', '.join(roles[:-1])} and {roles[-1]}"
    return f"{head} as {named}: {words}"
