"""One engagement from the OQR to the close through the real CLI, with two DQIs (amber
then green), checking at every step what `engagement show --format json` says: stage,
RAG and its reasons, next step, outcomes and success metrics (issue 33, "Tests and the
note"; docs/using.md "One engagement from OQR to close" walks the same one).

The built-in questionnaires, signed without SSH keys (`--no-sign`). The RAG and the next
step compare dates with today (the store's clock, which the CLI does not let a test
fix), so every date is written relative to today: the walk reads the same any day."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from pathlib import Path
from typing import Any

import yaml

from gatebook.engagement.members import create_member
from gatebook.engagement.store import EngagementStore
from gatebook.store.records import risk_changes
from gatebook.workspace import make_catalog

from .cli_support import gb, ok, show
from .conftest import write
from .fixed import fixed_store

TODAY = dt.date.today()


def day(offset: int) -> str:
    """Today plus `offset` days, as `YYYY-MM-DD`."""
    return (TODAY + dt.timedelta(days=offset)).isoformat()


def rated(ids: list[str], rating: int) -> dict[str, int]:
    return dict.fromkeys(ids, rating)


OQR_CRITERIA = [
    "pm_on_time_budget", "pm_proactive_comms", "pm_risk_management", "pm_strategic_alignment",
    "adr_exceptional_results", "adr_expertise_leverage", "adr_rigorous_management",
    "adr_continuous_improvement", "c_collaboration", "c_clear_messaging", "c_active_listening",
    "c_relationships", "a_right_resources", "a_right_timing", "a_capacity_planning",
    "a_skill_alignment", "ads_data_protection", "ads_industry_standards",
    "ads_risk_minimization", "ads_compliance", "co_success_focus", "co_deep_listening",
    "co_proactive_value", "co_continuous_engagement",
]  # fmt: skip
TE_CRITERIA = ["te_cutting_edge", "te_collaborative", "te_measurable_outcomes", "te_architecture"]
# A clean T&M deal, every required answer but the staffing plan (signed with an override).
OQR = {
    "opportunity": "Data platform", "tcv_usd": "1.2M", "contract_type": "tm",
    "total_hours": 4000, "security_hours": 400, "partner_hours": 0, "partner_count": 0,
    "production_access": False, "regulated_data": [], "custom_ai_ml": False,
    "customer_cloud_production_experience": True, "environment_understanding": "complete",
    "documentation_sufficient": True, "requirements_clarity": "clear",
    "requirements_conflict_security": False, "resource_constraints_impact_quality": False,
    "technical_feasibility_concerns": False, "stakeholder_alignment_blocked": False,
    "cbo_success_criteria": "Month-end close in 3 days; audit findings down to 4 a year",
    "arch_system_design": "A lake house on S3 fed by the ledgers",
    "arch_security_controls": "SSO, KMS keys per domain, CloudTrail to the SOC",
    "test_approach": "Three parallel month-end runs",
    "risk_identification": "Data quality of the ledgers",
    "gate_pre_implementation": ["high_risks_addressed", "cbos_validated",
                                "architecture_approved", "security_controls_validated"],
    **rated(TE_CRITERIA, 4),
    **rated(OQR_CRITERIA, 3),
}  # fmt: skip
PESA = {
    "data_classification": "confidential", "regulated_data": [], "production_access": False,
    "accounts_owner": "customer", "credential_handover": "identity_federation",
    "security_lead_named": "Dana Ruiz", "encryption_at_rest_and_transit": True,
    "logging_monitoring": True, "incident_response_contacts": True, "partner_access": False,
    "custom_ai_ml": False,
    "contract_security_clauses": ["data_handling", "access_terms", "incident_notification",
                                  "liability"],
    **rated(["ads_data_protection", "ads_industry_standards", "ads_risk_minimization",
             "ads_compliance"], 4),
}  # fmt: skip
S2D = {
    "customer_history": "Two earlier migrations, CSAT 4.6", "artifacts_transferred": True,
    "stakeholder_map": [{"name": "Maria", "role": "CFO", "influence": "decision_maker",
                         "stance": "champion"}],
    "business_outcomes": ["efficiency", "reduced_risk"],
    "outcome_criteria": [{"outcome": "efficiency", "criterion": "Close in 3 days"},
                         {"outcome": "reduced_risk", "criterion": "4 audit findings a year"}],
    "goals_aligned": True, "oneteam_proserve_sales": "Sam (PM)",
    "oneteam_proserve_delivery": "Ana (engagement lead)",
    "sprint0_start": day(-150), "kickoff_date": day(-136),
    "s2d_success": ["context_understood", "stakeholders_aligned", "communication_protocols"],
}  # fmt: skip
DELIVERABLES = [
    {"deliverable": "Landing zone", "owner": "Bo", "due": day(-60),
     "acceptance": "Security review passed"},
    {"deliverable": "Ledger migration", "owner": "Cy", "due": day(-10),
     "acceptance": "Parallel run reconciles"},
]  # fmt: skip
KICKOFF = {
    "team_onboarded": True, "governance_setup": True, "tooling_access": True,
    "working_agreements": True, "risk_plan": True,
    "project_charter": "Move the ledgers to the lake house by the year end",
    "meeting_cadence": "Weekly status, monthly steering",
    "escalation_path": "Ana, then the CFO within two days",
    "dqi_cadence_days": 60,
    "team_introductions": [{"name": "Ana", "organisation": "ProServe",
                            "role": "Engagement lead", "contact": "ana@example.com"}],
    "timeline_milestones": [{"milestone": "Ledgers migrated", "date": day(-10),
                             "critical_path": True}],
    "success_metrics": [{"metric": "Close in 3 days", "acceptance": "The CFO signs the close"}],
    "deliverables": DELIVERABLES,
    "security_controls_in_place": True,
    **rated(["readiness_onboarding", "governance_escalation_rating"], 4),
    **rated(["readiness_access", "governance_cadence_rating"], 3),
}  # fmt: skip
DQI_RATINGS = rated(["cadence_rating", "escalation_rating", "relationship_rating",
                     "feedback_rating"], 3)  # fmt: skip
# Amber: two ceremonies skipped and an outcome at risk, with a back-to-green plan.
DQI1 = {
    "inspection_date": day(-30),
    "cadence": ["standups", "sprint_planning"],
    "milestone_progress": "on_track", "schedule_variance_pct": 5, "budget_variance_pct": 3,
    "csat_signal": "positive", "ready_to_close": False,
    "security_incidents": 0, "security_posture": 3,
    "back_to_green_actions": [
        {"action": "Hold the retrospectives again", "owner": "Ana", "due": day(10)},
        {"action": "Monthly sync with the CFO", "owner": "Bo", "due": day(20)},
    ],
    **DQI_RATINGS,
}  # fmt: skip
DQI2 = {
    "inspection_date": day(-2),
    "cadence": ["standups", "sprint_planning", "retrospectives", "stakeholder_syncs"],
    "milestone_progress": "on_track", "schedule_variance_pct": 8, "budget_variance_pct": 4,
    "csat_signal": "positive", "ready_to_close": True,
    "security_incidents": 0, "security_posture": 4,
    "deliverables": [{**DELIVERABLES[0], "status": "accepted"},
                     {**DELIVERABLES[1], "status": "delivered"}],
    **rated(["cadence_rating", "escalation_rating", "relationship_rating",
             "feedback_rating"], 4),
}  # fmt: skip
CLOSE = {
    "close_date": day(0), "contract_obligations_met": True, "artefacts_stored": True,
    "d2s_done": True, "d2o_applicable": False,
    "lessons_learned": "Start the access requests in Sprint 0",
    "retrospective_held": True, "csat_sent": True, "on_time_budget": 2,
    "security_posture_validated": True, "delivered_on_time": True,
    "delivered_on_budget": True, "csat_score": 5,
    "deliverables": [{"deliverable": row["deliverable"], "owner": row["owner"], "due": row["due"],
                      "quality_reviewed": True, "accepted": True, "accepted_by": "Maria (CFO)",
                      "accepted_on": day(-1)} for row in DELIVERABLES],
}  # fmt: skip
NO_KPIS = {
    "quality_score": None, "quality_target": 90, "risk_mitigation_pct": None, "csat": None,
    "on_time": None, "on_budget": None, "security_incidents": None,
}  # fmt: skip


class Walk:
    """The engagement as the steps leave it, and the table the note shows."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.engagement = ok("engagement", "new", "Acme data platform", "--customer", "Acme",
                             "--start", day(-200))  # fmt: skip
        self.rows: list[str] = []

    def member(self, qid: str, answers: dict[str, Any]) -> str:
        path = write(self.home.parent / f"{qid}-{len(self.rows)}.yaml", yaml.safe_dump(answers))
        code, out, err = gb("new", qid, "--title", f"Acme {qid}", "--engagement", self.engagement,
                            "--answers", str(path))  # fmt: skip
        assert code == 0, err
        assert "warning" not in err, err  # every stage gate is met when it starts
        return out.strip()

    def check(
        self,
        step: str,
        stage: str | None,
        status: str,
        reasons: list[str],
        next_step: tuple[str, str, str] | None,
        outcomes: dict[str, tuple[str, str, str | None]],
        kpis: dict[str, Any],
    ) -> dict[str, Any]:
        """The step leaves `engagement show --format json` exactly so (outcomes: id ->
        status, the review of its latest row, that row's origin; a carried one's first
        origin is the OQR's row)."""
        shown = self.state(step)
        assert (shown["stage"], shown["status"]) == (stage, status), step
        assert shown["reasons"] == reasons, step
        expected_next = (
            None
            if next_step is None
            else dict(zip(("stage", "questionnaire", "reason"), next_step, strict=True))
        )
        assert shown["next_step"] == expected_next, step
        got = {
            row["id"]: (row["status"], row["review"], row["origin"]) for row in shown["outcomes"]
        }
        assert got == outcomes, step
        oqr = shown["reviews"][0]["id"] if shown["reviews"] else None
        for row in shown["outcomes"]:  # null on the OQR's own rows (not carried)
            assert row["first_origin"] == (row["origin"] and f"{oqr}/{row['id']}"), step
        assert shown["kpis"] == kpis, step
        return shown

    def state(self, step: str) -> dict[str, Any]:
        """`engagement show --format json`, and its row of the walk's table (the note's
        and docs/using.md's: `walk.rows`)."""
        shown: dict[str, Any] = json.loads(
            ok("engagement", "show", self.engagement, "--format", "json")
        )
        nxt = shown["next_step"]
        outcomes = ", ".join(f"{row['title']}: {row['status']}" for row in shown["outcomes"])
        kpis = {k: v for k, v in shown["kpis"].items() if v is not None and k != "quality_target"}
        self.rows.append(
            f"| {step} | {shown['stage']} | {shown['status']} | {'; '.join(shown['reasons'])} | "
            f"{nxt and (nxt['questionnaire'] + ': ' + nxt['reason'])} | {outcomes} | {kpis} |"
        )
        return shown


def sign(review: str, role: str, name: str, *extra: str) -> tuple[int, str]:
    code, _out, err = gb("signoff", review, "--role", role, "--name", name,
                         "--decision", "approved", "--no-sign", *extra)  # fmt: skip
    return code, err.strip()


def signed(review: str, *roles: str, override: str | None = None) -> None:
    extra = ("--override", override) if override else ()
    for role in roles:
        code, err = sign(review, role, role.title(), *extra)
        assert code == 0, err


def flags(review: str) -> set[str]:
    return {flag["id"] for flag in show(review)["evaluation"]["flags"]}


def test_one_engagement_from_oqr_to_close(isolated_home: Path) -> None:
    walk = Walk(isolated_home)
    e = walk.check  # each step: stage, status, reasons, next step, outcomes, kpis
    e(
        "engagement new",
        None,
        "green",
        [],
        ("validation", "oqr", "start with the OQR during technical validation"),
        {},
        NO_KPIS,
    )
    oqr = walk.member("oqr", OQR)
    pesa_first = ("sow", "pesa", "the PESA is required before the SOW")
    quality = {**NO_KPIS, "quality_score": 78.6}  # TE 100, six dimensions at 75
    e(
        "oqr", "validation", "green", [], pesa_first, {}, {**quality, "risk_mitigation_pct": 0}
    )  # the no_outcomes row, open
    assert flags(oqr) == {"no_outcomes"}
    first = ok(
        "outcome",
        oqr,
        "--add",
        "Close the books faster",
        "--cbo",
        "efficiency",
        "--metric",
        "days to month-end close",
        "--baseline",
        "9",
        "--target",
        "3",
        "--by",
        day(30),
    )
    second = ok(
        "outcome",
        oqr,
        "--add",
        "Fewer audit findings",
        "--cbo",
        "reduced_risk",
        "--metric",
        "audit findings a year",
        "--baseline",
        "12",
        "--target",
        "4",
        "--by",
        day(60),
    )
    assert re.fullmatch(r"outcome_[a-z0-9]{6}", first) and re.fullmatch(
        r"outcome_[a-z0-9]{6}", second
    )
    e(
        "outcomes",
        "validation",
        "green",
        [],
        pesa_first,
        {first: ("planned", oqr, None), second: ("planned", oqr, None)},
        quality,
    )
    assert flags(oqr) == set()
    code, err = sign(oqr, "engagement_lead", "Ana")
    assert code == 1 and "required answers missing" in err and "4 of 5 met" in err
    signed(oqr, "engagement_lead", "reviewer", override="staffing plan follows the SOW")
    why = "staffing plan follows the SOW"
    red = f"{oqr}: signed with an override while Pre-Implementation Review fails: {why}"
    history = f"{oqr}: signed with an override: {why}"  # said once for the two roles
    e(
        "oqr signed",
        "validation",
        "red",
        [red],
        pesa_first,
        {first: ("planned", oqr, None), second: ("planned", oqr, None)},
        quality,
    )
    pesa = walk.member("pesa", PESA)
    assert flags(pesa) == set()
    e(
        "pesa",
        "sow",
        "red",
        [red],
        ("sow", "pesa", f"sign {pesa}: the PESA is required before the SOW"),
        {first: ("planned", oqr, None), second: ("planned", oqr, None)},
        quality,
    )
    signed(pesa, "security_reviewer", "engagement_lead")
    # a later stage signed without an override: the OQR's override is history
    e(
        "pesa signed",
        "sow",
        "green",
        [history],
        ("handover", "s2d", "the SOW stage is in place; hand over from sales to delivery"),
        {first: ("planned", oqr, None), second: ("planned", oqr, None)},
        quality,
    )
    s2d = walk.member("s2d", S2D)
    assert flags(s2d) == set()
    s2d_rows = {
        first: ("planned", s2d, f"{oqr}/{first}"),
        second: ("planned", s2d, f"{oqr}/{second}"),
    }
    e(
        "s2d",
        "handover",
        "green",
        [history],
        (
            "launch",
            "kickoff",
            "the handover is in place; prepare Sprint 0 and the customer "
            "kickoff; waiting: the kickoff expects a signed S2D handover",
        ),
        s2d_rows,
        quality,
    )
    code, err = sign(s2d, "sales_lead", "Sam")
    assert (code, err) == (
        1,
        "error: sign-off refused: s2d_success_criteria 3 of 5 met, 4 "
        "needed: approve with conditions, or override",
    )
    ok(
        "set",
        s2d,
        "s2d_success=context_understood,stakeholders_aligned,"
        "communication_protocols,risk_mitigation_in_place",
    )
    signed(s2d, "sales_lead", "delivery_lead")
    e(
        "s2d signed",
        "handover",
        "green",
        [history],
        (
            "launch",
            "kickoff",
            "the handover is in place; prepare Sprint 0 and the customer kickoff",
        ),
        s2d_rows,
        quality,
    )
    kickoff = walk.member("kickoff", KICKOFF)
    assert flags(kickoff) == set()  # security 400 of 4000 hours (shared with the OQR): 10 %
    assert show(kickoff)["answers"]["security_hours"] == 400
    kickoff_rows = {
        first: ("planned", kickoff, f"{s2d}/{first}"),
        second: ("planned", kickoff, f"{s2d}/{second}"),
    }
    inspect_first = ("inspect", "dqi", "delivery is running; inspect it between days 120 and 365")
    e("kickoff", "launch", "green", [history], inspect_first, kickoff_rows, quality)
    signed(kickoff, "engagement_lead")
    e("kickoff signed", "launch", "green", [history], inspect_first, kickoff_rows, quality)

    # DQI 1, amber: two ceremonies skipped, an outcome at risk, a back-to-green plan
    dqi1 = walk.member("dqi", DQI1)
    assert [row["deliverable"] for row in show(dqi1)["answers"]["deliverables"]] == [
        "Landing zone",
        "Ledger migration",
    ]  # copied from the kickoff
    statuses = [
        {**DELIVERABLES[0], "status": "delivered"},
        {**DELIVERABLES[1], "status": "in_progress"},
    ]
    ok("set", dqi1, "deliverables=" + json.dumps(statuses))
    ok("outcome", dqi1, first, "--status", "on_track")
    ok("outcome", dqi1, second, "--status", "at_risk", "--evidence", "6 findings so far")
    assert flags(dqi1) == {"cadence_gaps", "outcome_at_risk"}  # a complete plan: no flag
    dqi1_rows = {
        first: ("on_track", dqi1, f"{kickoff}/{first}"),
        second: ("at_risk", dqi1, f"{kickoff}/{second}"),
    }
    amber = [
        f"{dqi1}: the latest DQI rates amber",
        f"{dqi1}: outcome Fewer audit findings is at risk",
        history,
    ]
    kpis1 = {
        "quality_score": 75.0,
        "quality_target": 90,
        "risk_mitigation_pct": 0,
        "csat": "positive",
        "on_time": True,
        "on_budget": True,
        "security_incidents": 0,
    }
    next_dqi = (
        "inspect",
        "dqi",
        f"next inspection due {day(30)}",
    )  # inspected day -30, every 60 days
    e("dqi 1", "inspect", "amber", amber, next_dqi, dqi1_rows, kpis1)
    signed(dqi1, "engagement_manager")
    e("dqi 1 signed", "inspect", "amber", amber, next_dqi, dqi1_rows, kpis1)

    # DQI 2 starts with DQI 1's rows and its actions as rows, then turns green
    dqi2 = walk.member("dqi", DQI2)
    register = {row["id"]: row for row in show(dqi2)["risk_register"]}
    carried = {
        key: (row["origin"], row["status"], row["severity"], row["owner"], row["due"])
        for key, row in register.items()
    }
    assert carried == {
        "back_to_green_1": (f"{dqi1}/btg_1", "open", "medium", "Ana", day(10)),
        "back_to_green_2": (f"{dqi1}/btg_2", "open", "medium", "Bo", day(20)),
        "cadence_gaps_2": (f"{dqi1}/cadence_gaps", "open", "medium", None, None),
        # raised again from the outcome it carries in: DQI 1's row becomes its row
        "outcome_at_risk": (f"{dqi1}/outcome_at_risk", "open", "medium", None, None),
        "no_back_to_green_plan": (None, "open", "medium", None, None),  # its own
    }
    assert register["back_to_green_1"]["title"] == "Hold the retrospectives again"
    assert flags(dqi2) == {"outcome_at_risk", "no_back_to_green_plan"}
    dqi2_rows = {
        first: ("on_track", dqi2, f"{dqi1}/{first}"),
        second: ("at_risk", dqi2, f"{dqi1}/{second}"),
    }
    close_next = ("close", "close", f"{dqi2} says the delivery is ready to close")
    kpis2 = {**kpis1, "quality_score": 100.0}
    e(
        "dqi 2",
        "inspect",
        "amber",
        [
            f"{dqi2}: the latest DQI rates amber",
            f"{dqi2}: outcome Fewer audit findings is at risk",
            history,
        ],
        close_next,
        dqi2_rows,
        kpis2,
    )
    ok("outcome", dqi2, second, "--status", "on_track", "--evidence", "4 findings forecast")
    for row in show(dqi2)["risk_register"]:  # the carried rows and the actions, done
        ok("risk", dqi2, row["id"], "--status", "mitigated")
    assert flags(dqi2) == set()
    dqi2_rows[second] = ("on_track", dqi2, f"{dqi1}/{second}")
    e(
        "dqi 2 green",
        "inspect",
        "green",
        [history],
        close_next,
        dqi2_rows,
        {**kpis2, "risk_mitigation_pct": 100},
    )
    signed(dqi2, "engagement_manager")
    e(
        "dqi 2 signed",
        "inspect",
        "green",
        [history],
        close_next,
        dqi2_rows,
        {**kpis2, "risk_mitigation_pct": 100},
    )

    # the close: every deliverable accepted, security validated, outcomes achieved
    close = walk.member("close", CLOSE)
    # DQI 2 closed every row: nothing carried, only the close's own flag
    assert [(row["id"], row["origin"]) for row in show(close)["risk_register"]] == [
        ("outcome_not_assessed", None)
    ]
    assert flags(close) == {"outcome_not_assessed"}
    kpis3 = {**kpis2, "risk_mitigation_pct": 80, "csat": 5}  # DQI 2: 4 mitigated of 5
    sign_close = (
        "close",
        "close",
        f"sign {close}: the engagement is closed once its close is signed",
    )
    e(
        "close",
        "close",
        "amber",
        [f"{close}: high risk outcome_not_assessed without mitigation and contingency", history],
        sign_close,
        {
            first: ("on_track", close, f"{dqi2}/{first}"),
            second: ("on_track", close, f"{dqi2}/{second}"),
        },
        kpis3,
    )
    ok("outcome", close, first, "--status", "achieved", "--evidence", "Closed in 3 days")
    ok("outcome", close, second, "--status", "achieved", "--evidence", "3 findings this year")
    assert flags(close) == set()
    achieved = {
        first: ("achieved", close, f"{dqi2}/{first}"),
        second: ("achieved", close, f"{dqi2}/{second}"),
    }
    kpis4 = {**kpis3, "risk_mitigation_pct": 100}
    e("close assessed", "close", "green", [history], sign_close, achieved, kpis4)
    signed(close, "engagement_manager", "customer_sponsor")
    final = e("close signed", "close", "green", [history], None, achieved, kpis4)
    ids = [row["id"] for row in final["reviews"]]  # life-cycle order (the DQIs by creation)
    assert (ids[:4], set(ids[4:6]), ids[6:]) == ([oqr, pesa, s2d, kickoff], {dqi1, dqi2}, [close])
    assert {row["status"] for row in final["reviews"]} == {"signed"}


def test_a_row_a_later_dqi_copied_is_not_carried_again_when_both_were_made_in_one_second(
    isolated_home: Path,
) -> None:
    """Two DQIs made in one second sort by id; the second DQI's copy of a row (here
    mitigated) is still the latest, so the close does not carry the first DQI's open
    row again (ids made to sort the second DQI first)."""
    store = fixed_store(isolated_home)
    descending = itertools.count(999, -1)
    store.new_id = lambda prefix: f"{prefix}-{next(descending):06d}"
    catalog = make_catalog(isolated_home)
    engagement = EngagementStore(store).create("Acme", start=day(-200), shared={}).id

    def member(qid: str, answers: dict[str, Any]) -> str:
        made = create_member(store, engagement, catalog.resolve(qid), qid, override="test",
                             answers=answers)  # fmt: skip
        return made.review.id

    dqi1 = member("dqi", {"inspection_date": day(-30), "cadence": ["standups"]})
    dqi2 = member("dqi", {"inspection_date": day(-2)})
    assert dqi2 < dqi1  # the second DQI sorts first
    review = store.get(dqi2)
    (row_id,) = [
        key for key, row in review.risk_register.items() if row.origin == f"{dqi1}/cadence_gaps"
    ]
    questionnaire = store.questionnaire_for(review)
    store.update(dqi2, risk_changes(review, questionnaire, store.evaluate(review), row_id,
                                    status="mitigated"))  # fmt: skip
    close = store.get(member("close", {}))
    origins = [str(row.origin) for row in close.risk_register.values()]
    assert f"{dqi2}/no_back_to_green_plan_2" in origins  # the open ones are carried
    assert [origin for origin in origins if "cadence_gaps" in origin] == []
