"""What a member carries in from the earlier members of its track (issue 33).

A new member (`new --engagement`) and a review joining without a current sign-off
(`engagement add`) start with the open and mitigating rows of every earlier member of
their track, earlier members of their own stage included (a second DQI carries the
first DQI's rows), each risk once: the rows of one risk are found by following their
origins to the first row (store/origins.py), and its latest copy, in life-cycle order,
decides (a risk mitigated in a later member is not carried, even where an earlier
member still has it open). A new DQI also takes the previous DQI's back-to-green
actions on as rows (engagement/inspections.py).
"""

from __future__ import annotations

from typing import get_args

from gatebook.engagement.inspections import back_to_green_rows
from gatebook.engagement.lifecycle import Member, latest_dqi
from gatebook.engine.register import RegisterRow
from gatebook.questionnaire.models import DELIVERY_STAGES, OKR_STAGES, Questionnaire
from gatebook.store.history import Change
from gatebook.store.model import ChangeKind, Review, RiskRow, RiskStatus
from gatebook.store.origins import first_origin

CARRIED_STATUSES = frozenset({"open", "mitigating"})
STORED_STATUSES = frozenset(get_args(RiskStatus))


def earlier_members(
    members: list[Member], stage: str | None, joining: Review | None
) -> list[Member]:
    """The members of `stage`'s track before it: earlier stages, and of its own stage
    every member (a new one is the latest) or, for a review joining, those created
    before it (or in the same second)."""
    track = DELIVERY_STAGES if stage in DELIVERY_STAGES else OKR_STAGES
    if stage is None or stage not in track:
        return []
    rank = track.index(stage)

    def before(member: Member) -> bool:
        if member.review is None or member.stage not in track:
            return False
        if joining is not None and member.id == joining.id:
            return False
        place = track.index(member.stage or "")
        if place != rank or joining is None:
            return place <= rank
        return member.review.created <= joining.created

    return [member for member in members if before(member)]


def _copied(review_id: str, row: RegisterRow) -> RiskRow:
    """The row as it would be carried. A `resolved` row (its flag no longer raised) is a
    status the register derives, never stored: it is the latest word on its risk, so it
    stays in the chain (an earlier open copy is not carried), as `mitigated` (not carried
    either) instead of failing the store's model."""
    severity = row.severity if row.severity in ("high", "medium", "low") else None
    status = row.status if row.status in STORED_STATUSES else "mitigated"
    return RiskRow.model_validate(
        {
            "title": row.title,
            "severity": severity,
            "category": row.category,
            "likelihood": row.likelihood,
            "impact": row.impact,
            "contingency": row.contingency,
            "owner": row.owner,
            "due": row.due,
            "status": status,
            "origin": f"{review_id}/{row.id}",
        }
    )


def _latest_rows(
    earlier: list[Member], stage: str | None, joining: Review | None
) -> tuple[dict[str, tuple[str, RiskRow, str]], set[str]]:
    """Each risk's latest row (first origin -> row id, copied row, mitigation), and the
    first origins of the rows the joining review holds already."""
    registers = {m.id: m.review.risk_register for m in earlier if m.review is not None}
    if joining is not None:
        registers[joining.id] = joining.risk_register

    def root(review_id: str, row_id: str, origin: str | None) -> str:
        return first_origin(origin, registers.get) or f"{review_id}/{row_id}"

    previous = latest_dqi(earlier) if stage == "inspect" else None
    latest: dict[str, tuple[str, RiskRow, str]] = {}
    # a row another member copied is never the latest, whatever the members' order (two
    # members made in one second sort by id)
    copied = {
        row.origin
        for member in earlier
        if member.evaluation is not None
        for row in member.evaluation.register
        if row.origin
    }

    def put(key: str, found: tuple[str, RiskRow, str]) -> None:
        latest.pop(key, None)  # the latest copy, in the place of the latest copy
        latest[key] = found

    for member in earlier:
        if member.evaluation is None:
            continue
        if member is previous:
            for row_id, action in back_to_green_rows(member):
                put(action.origin or row_id, (row_id, action, ""))
        for row in member.evaluation.register:
            if f"{member.id}/{row.id}" in copied:
                continue
            put(
                root(member.id, row.id, row.origin),
                (row.id, _copied(member.id, row), row.mitigation),
            )
    held = (
        {root(joining.id, key, row.origin) for key, row in joining.risk_register.items()}
        if joining is not None
        else set()
    )
    return latest, held


def carried_rows(
    members: list[Member],
    questionnaire: Questionnaire,
    raised: set[str],
    joining: Review | None = None,
) -> tuple[dict[str, RiskRow], dict[str, str]]:
    """The rows a member of `questionnaire`'s stage starts with (`joining`: the review
    `engagement add` links, whose own rows and mitigations stay as they are): a row
    whose id is a flag the review raises becomes that flag's row (a joining review's own
    row of that flag stands, and only gains the origin); the others keep their id, or
    `ID_2`, `ID_3`... when it is taken."""
    earlier = earlier_members(members, questionnaire.stage, joining)
    latest, held = _latest_rows(earlier, questionnaire.stage, joining)
    rules = {rule.id for rule in questionnaire.risks}
    own = joining.risk_register if joining is not None else {}
    kept = joining.mitigations if joining is not None else {}
    rows: dict[str, RiskRow] = {}
    mitigations: dict[str, str] = {}
    for key, (row_id, data, mitigation) in latest.items():
        if data.status not in CARRIED_STATUSES or key in held:
            continue
        if row_id in raised and row_id not in rows:
            if row_id in own:  # the joining review's row of that flag: linked, kept
                rows[row_id] = own[row_id].model_copy(
                    update={"origin": own[row_id].origin or data.origin}
                )
                continue
            target = row_id
            data.flag = row_id
        else:
            target, number = row_id, 2
            while target in rows or target in rules or target in own:
                target, number = f"{row_id}_{number}", number + 1
        rows[target] = data
        if mitigation and target not in kept:
            mitigations[target] = mitigation
    return rows, mitigations


def carry_change(members: list[Member], joining: Member, engagement_id: str) -> Change | None:
    """What `engagement add` carries into a review that joins without a current
    sign-off, as one change (one history entry, keyed by the engagement): the earlier
    members' open rows; None when there is nothing to carry."""
    review, questionnaire = joining.review, joining.questionnaire
    if review is None or questionnaire is None or joining.evaluation is None:
        return None
    raised = {flag.id for flag in joining.evaluation.flags}
    rows, mitigations = carried_rows(members, questionnaire, raised, review)
    value: dict[str, dict[str, object]] = {}
    if rows:
        value["risk_register"] = {key: row.model_dump(mode="json") for key, row in rows.items()}
    if mitigations:
        value["mitigations"] = dict(mitigations)
    from gatebook.engagement.outcomes import carried_outcomes  # outcomes.py reads lifecycle

    held = {row.origin for row in review.outcomes.values() if row.origin}
    taken = frozenset({*review.outcomes, *review.risk_register, *rows})
    outcomes = carried_outcomes(members, questionnaire, joining=review.id, taken=taken)
    fresh = {key: row for key, row in outcomes.items() if row.origin not in held}
    if fresh:
        value["outcomes"] = {key: row.model_dump(mode="json") for key, row in fresh.items()}
    return Change(ChangeKind.CARRY, engagement_id, value) if value else None
