"""The success metrics of seed 000 for one engagement (or one loose review), computed
from its members, null where not known yet (docs/contracts.md "Engagements", kpis),
and their means over a portfolio (`report`'s totals)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from gatebook.engagement.cadence import number
from gatebook.engagement.lifecycle import EngagementRisk, Member, engagement_risks, latest_dqi

QUALITY_TARGET = 90
"""The quality score target (seed 000)."""
WITHIN_PCT = Decimal(10)
"""A DQI's schedule or budget variance up to this counts as on time / on budget."""
MITIGATED = ("mitigated", "resolved")


@dataclass(frozen=True)
class Kpis:
    quality_score: float | None
    quality_target: float | None
    risk_mitigation_pct: float | None
    csat: float | str | None
    """The close's `csat_score` (1-5), else the latest DQI's `csat_signal`."""
    on_time: bool | float | None
    on_budget: bool | float | None
    security_incidents: float | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _latest(members: list[Member], stage: str) -> Member | None:
    found = [m for m in members if m.stage == stage and m.review is not None]
    return max(found, key=Member.sort_key, default=None)


def _answer(member: Member | None, question: str) -> Any:
    return member.review.answers.get(question) if member and member.review else None


def _plain(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def kpis(members: list[Member], risks: list[EngagementRisk] | None = None) -> Kpis:
    """`risks`: the members' live rows when the caller has them already."""
    dqi = latest_dqi(members)
    close = _latest(members, "close")
    scored = [m for m in (dqi, _latest(members, "validation")) if m and m.evaluation]
    quality = next(
        (m.evaluation.overall for m in scored if m.evaluation and m.evaluation.overall is not None),
        None,
    )
    rows = engagement_risks(members) if risks is None else risks
    mitigated = sum(1 for risk in rows if risk.row.status in MITIGATED)
    pct = (
        int((Decimal(100 * mitigated) / len(rows)).quantize(Decimal(1), ROUND_HALF_UP))
        if rows
        else None
    )
    csat: Any = number(_answer(close, "csat_score"))
    csat = _plain(csat) if csat is not None else _answer(dqi, "csat_signal")
    incidents = [
        count
        for m in members
        if m.stage == "inspect" and (count := number(_answer(m, "security_incidents"))) is not None
    ]
    return Kpis(
        quality_score=quality,
        quality_target=QUALITY_TARGET,
        risk_mitigation_pct=pct,
        csat=csat if isinstance(csat, int | float | str) else None,
        on_time=_delivered(close, "delivered_on_time", dqi, "schedule_variance_pct"),
        on_budget=_delivered(close, "delivered_on_budget", dqi, "budget_variance_pct"),
        security_incidents=_plain(sum(incidents, Decimal(0))) if incidents else None,
    )


def _delivered(
    close: Member | None, question: str, dqi: Member | None, variance: str
) -> bool | None:
    """The close's yes/no, else the latest DQI's variance within 10 %."""
    said = _answer(close, question)
    if isinstance(said, bool):
        return said
    pct = number(_answer(dqi, variance))
    return None if pct is None else pct <= WITHIN_PCT


def mean_kpis(items: list[Kpis]) -> Kpis:
    """Each metric's mean over the items that know it, one decimal (a yes counts 1, a
    no 0; a CSAT signal in words is left out); null where none does."""

    def mean(values: list[Any]) -> float | None:
        known = [
            Decimal(int(v)) if isinstance(v, bool) else Decimal(str(v))
            for v in values
            if isinstance(v, bool | int | float)
        ]
        if not known:
            return None
        return float((sum(known, Decimal(0)) / len(known)).quantize(Decimal("0.1"), ROUND_HALF_UP))

    return Kpis(
        quality_score=mean([k.quality_score for k in items]),
        quality_target=mean([k.quality_target for k in items]),
        risk_mitigation_pct=mean([k.risk_mitigation_pct for k in items]),
        csat=mean([k.csat for k in items]),
        on_time=mean([k.on_time for k in items]),
        on_budget=mean([k.on_budget for k in items]),
        security_incidents=mean([k.security_incidents for k in items]),
    )
