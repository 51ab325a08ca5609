"""The OKR track as seed 003 runs it: intake -> plan (the MD/VP approval) -> one
measurement checkpoint per planned date, the last with the retrospective.

What comes next, what a new checkpoint starts with (every target metric of the
intake with its thresholds, the plan's date for it, whether it is the last), and
each metric's result for `show --format json`. An intake signed by MD/VP before
okr-plan existed counts as the approved plan, and its `checkpoints` stand in for
the plan's (docs/contracts.md "The OKR track").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from gatebook.engine.thresholds import THRESHOLD_COLUMNS, metric_result
from gatebook.store.model import Review

if TYPE_CHECKING:
    from gatebook.engagement.model import Engagement
    from gatebook.plan.report import ReviewReport
    from gatebook.questionnaire.models import Questionnaire


class Member(Protocol):
    """A member review as engagement/lifecycle.py's `Member` holds it (read here
    through this shape, so the life cycle can call in without a circle)."""

    @property
    def id(self) -> str: ...
    @property
    def review(self) -> Review | None: ...
    @property
    def report(self) -> ReviewReport | None: ...
    @property
    def stage(self) -> str | None: ...
    @property
    def status(self) -> str: ...


Step = tuple[str, str, str]
"""(stage, questionnaire, reason): what lifecycle.py's `NextStep` is made of."""

APPROVING = frozenset({"approved", "approved-with-conditions"})
LEGACY_APPROVER = "md_vp"
"""The role of the intake's old version that approved the plan, before okr-plan."""


def _first(members: Sequence[Member], stage: str) -> Member | None:
    return next((m for m in members if m.stage == stage and m.review is not None), None)


def legacy_approved(intake: Member) -> bool:
    """An intake whose current MD/VP sign-off approved it (the old version, where the
    plan's approval sat in the intake)."""
    if intake.report is None:
        return False
    return any(
        view.state == "current"
        and view.signoff.role == LEGACY_APPROVER
        and view.signoff.decision in APPROVING
        for view in intake.report.signoffs
    )


def approved_plan(members: Sequence[Member]) -> Member | None:
    """The signed plan, else an intake signed by MD/VP before okr-plan existed."""
    plan = next((m for m in members if m.stage == "plan" and m.status == "signed"), None)
    if plan is not None:
        return plan
    intake = _first(members, "intake")
    return intake if intake is not None and legacy_approved(intake) else None


def planned_checkpoints(members: Sequence[Member]) -> list[dict[str, Any]]:
    """The plan's `checkpoints` rows (the approved plan's, else the latest plan's),
    else the intake's (older engagements), else none."""
    plans = [m for m in members if m.stage == "plan" and m.review is not None]
    approved = approved_plan(members)
    sources = [approved] if approved is not None else []
    sources += list(reversed(plans)) + [m for m in members if m.stage == "intake"]
    for member in sources:
        rows = member.review.answers.get("checkpoints") if member.review else None
        if isinstance(rows, list) and rows:
            return [row for row in rows if isinstance(row, dict)]
    return []


def _measures(members: Sequence[Member]) -> Sequence[Member]:
    return [m for m in members if m.stage == "measure" and m.review is not None]


def _final(member: Member) -> bool:
    return member.review is not None and member.review.answers.get("final") is True


def okr_stage_gate(stage: str, members: Sequence[Member]) -> str | None:
    """What an OKR stage expects and is missing (None: it may start)."""
    intake = _first(members, "intake")
    if stage == "plan" and (intake is None or intake.status != "signed"):
        return "the plan expects a signed intake (the management review approved it)"
    if stage == "measure" and approved_plan(members) is None:
        return "the checkpoints expect a plan the MD/VP approved"
    return None


QUESTIONNAIRES = {"intake": "okr-intake", "plan": "okr-plan", "measure": "okr-review"}


def _step(stage: str, why: str, members: Sequence[Member], engagement: Engagement) -> Step:
    missing = okr_stage_gate(stage, members)
    if missing is not None:
        override = next(
            (o.reason for o in reversed(engagement.overrides) if o.stage == stage), None
        )
        why += f"; started early: {override}" if override else f"; waiting: {missing}"
    return (stage, QUESTIONNAIRES[stage], why)


def okr_next(members: Sequence[Member], engagement: Engagement) -> Step | None:
    """intake -> plan -> checkpoints; None once the final checkpoint is signed."""
    if _first(members, "intake") is None:
        return ("intake", "okr-intake", "start with the OKR project ticket intake")
    if approved_plan(members) is None:
        plan = next((m for m in reversed(members) if m.stage == "plan"), None)
        if plan is not None:
            why = f"sign {plan.id}: the MD/VP approves the plan once the measurement is prepared"
            return ("plan", "okr-plan", why)
        why = "the intake is in place; plan the project (RACI, scoping, measurement preparation)"
        return _step("plan", why, members, engagement)
    measures = _measures(members)
    final = next((m for m in measures if _final(m)), None)
    if final is not None:
        if final.status == "signed":
            return None
        return ("measure", "okr-review", f"sign {final.id}: the retrospective closes it")
    planned = planned_checkpoints(members)
    number = len(measures) + 1
    if planned and number > len(planned):
        why = (
            f"every planned checkpoint is measured; answer final yes in {measures[-1].id} "
            "and hold the retrospective"
        )
        return ("measure", "okr-review", why)
    row = planned[number - 1] if planned else {}
    when = ", ".join(str(row[key]) for key in ("name", "date") if row.get(key))
    of = f" of {len(planned)}" if planned else ""
    why = f"measure checkpoint {number}{of}" + (f" ({when})" if when else "")
    why += " against the thresholds agreed at intake"
    if planned and number == len(planned):
        why += "; the last: hold the retrospective"
    return _step("measure", why, members, engagement)


def checkpoint_answers(members: Sequence[Member], questionnaire: Questionnaire) -> dict[str, Any]:
    """What a new checkpoint starts with (read as its own questions read them; a
    value a question would refuse is left out): every target metric of the intake as
    a row of `observed` (value empty), the plan's name and date for it, and `final`
    yes when it is the last planned one."""
    from gatebook.engine.answers import AnswerProblem, read_answer

    intake = _first(members, "intake")
    metrics = intake.review.answers.get("target_metrics") if intake and intake.review else None
    planned = planned_checkpoints(members)
    number = len(_measures(members)) + 1
    row = planned[number - 1] if number <= len(planned) else {}
    values: dict[str, Any] = {}
    if isinstance(metrics, list):
        columns = ("metric", "direction", *THRESHOLD_COLUMNS)
        values["observed"] = [
            {key: metric[key] for key in columns if metric.get(key) is not None}
            for metric in metrics
            if isinstance(metric, dict)
        ]
    if planned:
        values["checkpoint_name"] = row.get("name") or f"Checkpoint {number}"
        values["checkpoint_due"] = row.get("date")
        values["final"] = number >= len(planned)
    answers: dict[str, Any] = {}
    for qid, value in values.items():
        if value is None or questionnaire.question(qid) is None:
            continue
        try:
            answers[qid] = read_answer(questionnaire, qid, value, typed=False)
        except (AnswerProblem, ValueError, TypeError):
            continue
    return answers


def metric_results(review: Review, questionnaire: Questionnaire) -> list[dict[str, Any]] | None:
    """`[{metric, observed, result}]` of a measurement checkpoint (stage `measure`):
    each row of `observed`, or the old version's one headline metric; None for any
    other review."""
    if questionnaire.stage != "measure":
        return None
    answers = review.answers
    rows = answers.get("observed")
    if questionnaire.question("observed") is None and "observed_value" in answers:
        old = {"metric": "headline_metric", "direction": "metric_direction"}
        old |= {"success": "threshold_success", "partial_success": "threshold_partial"}
        old |= {"no_impact": "threshold_no_impact", "negative_impact": "threshold_negative"}
        rows = [{key: answers.get(qid) for key, qid in old.items()}]
        rows[0]["value"] = answers.get("observed_value")
    if not isinstance(rows, list):
        return []
    return [
        {"metric": row.get("metric"), "observed": row.get("value"), "result": metric_result(row)}
        for row in rows
        if isinstance(row, dict)
    ]
