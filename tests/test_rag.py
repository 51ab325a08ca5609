"""RAG is the state now, the next step, the success metrics (issue 33: "RAG is the state
now", "Inspections as a loop", "Security all the way", "Success metrics"): each red and
amber rule, overrides as history, the next step's rules, `kpis` in `engagement show`
and in `report`, through the real CLI on questionnaires placed at each stage."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from .cli_support import gb, ok, show
from .conftest import write

TODAY = dt.date.today()


def ago(days: int) -> str:
    """A date relative to the store's clock (the real one): the rules compare with today."""
    return (TODAY - dt.timedelta(days=days)).isoformat()


HEAD = """\
id: {qid}
title: {qid} check
version: "1"
stage: {stage}
target: 50
dimensions:
  - {{id: q, title: Quality}}
sections:
  - id: facts
    title: Facts
    questions:
      - {{id: customer, type: text, prompt: Customer, shared: true}}
      - {{id: tcv, type: money, prompt: Total value}}
      - {{id: quality, type: rating, prompt: Quality, dimension: q}}
      - {{id: checked, type: boolean, prompt: Checked}}
      - {{id: note, type: text, prompt: Note}}
{extra}
risks:
  - {{id: big, title: Big deal, category: financial, severity: high, when: tcv > 5000000}}
  - {{id: odd, title: Odd note, category: delivery, severity: medium, when: note == "odd"}}
{risks}
gates:
  - {{id: ready, title: Ready, decides_signoff: true, items: [checked]}}
signoff:
  - {{id: lead, title: Lead, required: true}}
"""
EXTRA = {
    "launch": "      - {id: dqi_cadence_days, type: number, prompt: Days between DQIs}",
    "inspect": """\
      - {id: inspection_date, type: date, prompt: Inspected on}
      - {id: ready_to_close, type: boolean, prompt: Ready to close}
      - {id: security_incidents, type: number, prompt: Security incidents}
      - {id: schedule_variance_pct, type: percent, min: -100, max: 1000, prompt: Schedule}
      - {id: budget_variance_pct, type: percent, min: -100, max: 1000, prompt: Budget}
      - id: csat_signal
        type: choice
        prompt: CSAT signal
        options: [positive, neutral, negative]""",
    "close": """\
      - id: deliverables
        type: table
        prompt: Deliverables
        columns:
          - {id: deliverable, type: text, prompt: Deliverable}
          - {id: accepted, type: boolean, prompt: Accepted}
      - {id: csat_score, type: number, min: 1, max: 5, prompt: CSAT}
      - {id: delivered_on_time, type: boolean, prompt: On time}
      - {id: delivered_on_budget, type: boolean, prompt: On budget}""",
}
RISKS = {
    "inspect": "  - {id: red_flag, title: Red, category: delivery, severity: high,"
    ' when: note == "red"}',
}
STAGES = {
    "v1": "validation",
    "s1": "sow",
    "h1": "handover",
    "l1": "launch",
    "d1": "inspect",
    "c1": "close",
}


@pytest.fixture(autouse=True)
def stage_questionnaires(isolated_home: Path) -> None:
    for qid, stage in STAGES.items():
        text = HEAD.format(
            qid=qid, stage=stage, extra=EXTRA.get(stage, ""), risks=RISKS.get(stage, "")
        )
        write(isolated_home / "questionnaires" / f"{qid}.yaml", text)


def eng_show(engagement: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ok("engagement", "show", engagement, "--format", "json"))
    return data


def new_engagement(start: str | None = None) -> str:
    return ok("engagement", "new", "Acme platform", "--start", start or ago(200))


def member(engagement: str, qid: str, *answers: str) -> str:
    review = ok("new", qid, "--title", f"Acme {qid}", "--engagement", engagement,
                "--override", "test")  # fmt: skip
    if answers:
        ok("set", review, *answers)
    return review


def sign(review: str, *extra: str) -> None:
    ok("signoff", review, "--role", "lead", "--name", "Ana", "--decision",
       "approved-with-conditions", "--comment", "ok", "--no-sign", *extra)  # fmt: skip


def signed_path(engagement: str, *through: str) -> dict[str, str]:
    """Members of `through` (questionnaire ids), each gate met and signed."""
    made = {}
    for qid in through:
        made[qid] = member(engagement, qid, "checked=yes")
        sign(made[qid])
    return made


# ---- overrides: history once a later stage is signed without one ---------------------------


def test_one_override_at_the_oqr_no_longer_keeps_it_red_through_a_later_signed_stage() -> None:
    engagement = new_engagement()
    oqr = member(engagement, "v1")
    sign(oqr, "--override", "deal desk accepted it")  # its gate Ready fails
    shown = eng_show(engagement)
    assert shown["status"] == "red"
    assert shown["reasons"] == [
        f"{oqr}: signed with an override while Ready fails: deal desk accepted it"
    ]
    pesa = member(engagement, "s1", "checked=yes")
    assert eng_show(engagement)["status"] == "red"  # a PESA not signed yet changes nothing
    sign(pesa)
    shown = eng_show(engagement)
    assert shown["status"] == "green"
    assert shown["reasons"] == [f"{oqr}: signed with an override: deal desk accepted it"]


def test_a_later_stage_signed_with_an_override_too_leaves_the_earlier_one_red() -> None:
    engagement = new_engagement()
    oqr = member(engagement, "v1")
    sign(oqr, "--override", "first")
    pesa = member(engagement, "s1", "checked=yes")
    sign(pesa, "--override", "second")
    shown = eng_show(engagement)
    assert shown["status"] == "red"
    assert shown["reasons"] == [
        f"{oqr}: signed with an override while Ready fails: first",
        f"{pesa}: signed with an override: second",  # its gate passes: history
    ]


def test_an_override_while_the_gate_passes_is_history() -> None:
    engagement = new_engagement()
    oqr = member(engagement, "v1", "checked=yes", "tcv=6M", "--mitigation", "big=Phase it")
    sign(oqr, "--override", "no contingency yet")  # the high row is not addressed
    shown = eng_show(engagement)
    assert shown["status"] == "amber"
    assert shown["reasons"] == [
        f"{oqr}: high risk big without mitigation and contingency",
        f"{oqr}: signed with an override: no contingency yet",
    ]


# ---- the latest DQI, the next DQI ------------------------------------------------------------


def test_an_amber_dqi_shows_amber_and_a_red_one_red() -> None:
    engagement = new_engagement()
    signed_path(engagement, "v1", "s1", "h1", "l1")
    dqi = member(engagement, "d1", f"inspection_date={ago(10)}", "note=odd")
    shown = eng_show(engagement)
    assert shown["status"] == "amber"
    assert shown["reasons"] == [f"{dqi}: the latest DQI rates amber"]
    ok("set", dqi, "note=red", "--mitigation", "red_flag=Fix", "--note", "note=x")
    ok("risk", dqi, "red_flag", "--contingency", "Escalate")
    shown = eng_show(engagement)
    assert shown["status"] == "red" and f"{dqi}: the latest DQI rates red" in shown["reasons"]
    later = member(engagement, "d1", f"inspection_date={ago(1)}")
    assert later
    assert eng_show(engagement)["status"] == "green"  # the state now: the latest DQI


def test_after_a_dqi_the_next_step_is_another_until_ready_to_close() -> None:
    engagement = new_engagement()
    signed_path(engagement, "v1", "s1", "h1", "l1")
    step = eng_show(engagement)["next_step"]
    assert step["stage"] == "inspect" and step["questionnaire"] == "dqi"
    dqi = member(engagement, "d1", f"inspection_date={ago(10)}")
    due = (TODAY - dt.timedelta(days=10) + dt.timedelta(days=90)).isoformat()
    assert eng_show(engagement)["next_step"] == {
        "stage": "inspect",
        "questionnaire": "dqi",
        "reason": f"next inspection due {due}",
    }
    ok("set", dqi, "ready_to_close=yes")
    step = eng_show(engagement)["next_step"]
    assert step["stage"] == "close" and step["questionnaire"] == "close"
    assert dqi in step["reason"]


def test_the_kickoffs_cadence_sets_the_due_date_and_an_overdue_dqi_is_amber() -> None:
    engagement = new_engagement()
    made = signed_path(engagement, "v1", "s1", "h1")
    kickoff = member(engagement, "l1", "checked=yes", "dqi_cadence_days=30")
    sign(kickoff)
    dqi = member(engagement, "d1", f"inspection_date={ago(40)}")
    due = ago(10)
    shown = eng_show(engagement)
    assert shown["next_step"]["reason"] == f"next inspection due {due}"
    assert shown["status"] == "amber"
    assert shown["reasons"] == [f"{dqi}: the next DQI was due {due}"]
    ok("set", dqi, "ready_to_close=yes")  # no next DQI due: not overdue
    assert eng_show(engagement)["status"] == "green"
    assert made  # the earlier stages are signed: nothing else waits


def test_a_loose_dqi_keeps_its_rag_by_the_same_rules() -> None:
    review = ok("new", "d1", "--title", "Loose DQI")
    ok("set", review, f"inspection_date={ago(100)}")  # the next one was due 10 days ago
    rag = show(review)["rag"]
    assert rag == {"status": "amber", "reasons": [f"{review}: the next DQI was due {ago(10)}"]}


# ---- the close -----------------------------------------------------------------------------


def deliverables(*accepted: bool) -> str:
    rows = [{"deliverable": f"D{i + 1}", "accepted": a} for i, a in enumerate(accepted)]
    return "deliverables=" + json.dumps(rows)


def test_next_step_is_null_only_once_a_close_is_signed() -> None:
    engagement = new_engagement()
    signed_path(engagement, "v1", "s1", "h1", "l1")
    member(engagement, "d1", f"inspection_date={ago(10)}", "ready_to_close=yes")
    close = member(engagement, "c1", "checked=yes", deliverables(True, True))
    assert eng_show(engagement)["next_step"] == {
        "stage": "close",
        "questionnaire": "close",
        "reason": f"sign {close}: the engagement is closed once its close is signed",
    }
    sign(close)
    shown = eng_show(engagement)
    assert shown["next_step"] is None and shown["status"] == "green"


def test_a_signed_close_is_amber_for_a_deliverable_not_accepted_and_red_for_its_gate() -> None:
    engagement = new_engagement()
    signed_path(engagement, "v1", "s1", "h1", "l1")
    member(engagement, "d1", f"inspection_date={ago(200)}", "note=odd")  # amber, overdue
    close = member(engagement, "c1", deliverables(True, False), "tcv=6M")  # gate fails
    sign(close, "--override", "customer left")
    shown = eng_show(engagement)
    assert shown["status"] == "red"
    assert shown["reasons"] == [  # only the red rules and the close's own amber ones
        f"{close}: signed with an override while Ready fails: customer left",
        f"{close}: deliverable D2 is not accepted",
    ]


def test_a_signed_close_with_every_deliverable_accepted_is_green_whatever_came_before() -> None:
    engagement = new_engagement()
    signed_path(engagement, "v1", "s1", "h1", "l1")
    member(engagement, "d1", f"inspection_date={ago(200)}", "note=odd")
    close = member(engagement, "c1", "checked=yes", deliverables(True, True))
    sign(close)
    assert eng_show(engagement)["status"] == "green"
    ok("set", close, deliverables(True, False))  # the sign-off is void: not closed
    assert eng_show(engagement)["status"] == "amber"


# ---- outcomes (read from Review.outcomes; the latest row of each) ----------------------------


def members_with_outcomes(engagement: str, rows: dict[str, dict[str, dict[str, Any]]]) -> list[Any]:
    """The engagement's members as the rules read them, each review holding `rows`
    (REVIEW -> OUTCOME_ID -> row): the register the outcomes-data part writes."""
    import os

    from gatebook.engagement.lifecycle import load_members
    from gatebook.engagement.store import EngagementStore
    from gatebook.store.model import OutcomeRow
    from gatebook.workspace import make_catalog, open_store

    home = Path(os.environ["GATEBOOK_HOME"])
    store = open_store(home, make_catalog(home))
    members = load_members(store, EngagementStore(store).get(engagement))
    for found in members:
        assert found.review is not None
        found.review.outcomes = {
            oid: OutcomeRow.model_validate(row) for oid, row in rows.get(found.id, {}).items()
        }
    return members


def test_an_outcome_at_risk_on_its_latest_row_is_amber() -> None:
    from gatebook.engagement.rag import rag

    engagement = new_engagement()
    made = signed_path(engagement, "v1", "s1")
    oqr, pesa = made["v1"], made["s1"]
    at_risk = {"title": "Cut costs", "status": "at_risk"}
    later = {"title": "Cut costs", "status": "on_track", "origin": f"{oqr}/outcome_aaaaaa"}
    members = members_with_outcomes(engagement, {oqr: {"outcome_aaaaaa": at_risk}})
    assert rag(members, TODAY.isoformat()).reasons == [f"{oqr}: outcome Cut costs is at risk"]
    members = members_with_outcomes(
        engagement, {oqr: {"outcome_aaaaaa": at_risk}, pesa: {"outcome_aaaaaa": later}}
    )
    assert rag(members, TODAY.isoformat()).status == "green"  # its latest row is on track
    off = {**later, "status": "off_track"}
    members = members_with_outcomes(
        engagement, {oqr: {"outcome_aaaaaa": at_risk}, pesa: {"outcome_aaaaaa": off}}
    )
    assert rag(members, TODAY.isoformat()).reasons == [f"{pesa}: outcome Cut costs is off track"]


def test_a_signed_close_with_an_outcome_not_achieved_is_amber() -> None:
    from gatebook.engagement.rag import rag

    engagement = new_engagement()
    made = signed_path(engagement, "v1", "s1", "h1", "l1")
    close = member(engagement, "c1", "checked=yes", deliverables(True))
    sign(close)
    missed = {"title": "Cut costs", "status": "not_achieved"}
    members = members_with_outcomes(engagement, {close: {"outcome_bbbbbb": missed}})
    assert rag(members, TODAY.isoformat()).reasons == [
        f"{close}: outcome Cut costs was not achieved"
    ]
    at_risk = {"title": "Grow", "status": "at_risk"}  # after the close: not an amber rule
    members = members_with_outcomes(engagement, {made["v1"]: {"outcome_cccccc": at_risk}})
    assert rag(members, TODAY.isoformat()).status == "green"


# ---- the other red and amber rules -----------------------------------------------------------


def test_an_escalation_stop_is_red_and_one_undecided_amber(isolated_home: Path) -> None:
    write(
        isolated_home / "questionnaires" / "v1.yaml",
        HEAD.format(qid="v1", stage="validation", extra="", risks="").replace(
            "gates:", "escalation:\n  - {id: big_one, when: tcv > 5000000, reason: Big}\ngates:"
        ),
    )
    engagement = new_engagement()
    oqr = member(engagement, "v1", "tcv=6M")
    ok("risk", oqr, "big", "--mitigation", "Phase it", "--contingency", "Descope")
    shown = eng_show(engagement)
    assert shown["reasons"] == [f"{oqr}: escalation required, no decision recorded"]
    assert shown["status"] == "amber"
    ok("escalate", oqr, "--to", "VP", "--decision", "stop")
    shown = eng_show(engagement)
    assert shown["status"] == "red" and shown["reasons"] == [f"{oqr}: escalation decided stop"]


def test_a_high_row_past_due_is_red_and_an_unaddressed_one_amber() -> None:
    engagement = new_engagement()
    oqr = member(engagement, "v1", "tcv=6M")
    assert eng_show(engagement)["reasons"] == [
        f"{oqr}: high risk big without mitigation and contingency"
    ]
    ok("risk", oqr, "big", "--mitigation", "Phase", "--contingency", "Cut", "--due", ago(1),
       "--status", "mitigating")  # fmt: skip
    shown = eng_show(engagement)
    assert shown["status"] == "red"
    assert shown["reasons"] == [f"{oqr}: high risk big past its due date {ago(1)}"]


def test_an_unreadable_member_is_red(isolated_home: Path) -> None:
    engagement = new_engagement()
    oqr = member(engagement, "v1")
    (isolated_home / "reviews" / f"{oqr}.json").write_text("{")
    shown = eng_show(engagement)
    assert shown["status"] == "red" and shown["reasons"][0].startswith(f"{oqr}: unreadable (")


# ---- the next step ---------------------------------------------------------------------------


def test_the_pesa_comes_first_from_the_handover_on_and_new_warns() -> None:
    engagement = new_engagement()
    oqr = member(engagement, "v1", "checked=yes")
    sign(oqr)
    assert eng_show(engagement)["next_step"] == {
        "stage": "sow",
        "questionnaire": "pesa",
        "reason": "the PESA is required before the SOW",
    }
    code, _, err = gb("new", "h1", "--title", "S2D", "--engagement", engagement)
    assert code == 0 and "warning: the PESA is required before the SOW" in err
    assert eng_show(engagement)["next_step"]["reason"] == "the PESA is required before the SOW"
    code, _, err = gb("new", "l1", "--title", "Kickoff", "--engagement", engagement,
                      "--override", "SOW signed on paper")  # fmt: skip
    assert code == 0 and "warning" not in err  # the override is recorded as before
    record = json.loads(ok("engagement", "list", "--format", "json"))[0]
    assert record["next_step"]["questionnaire"] == "pesa"  # still required


def test_a_member_a_later_gate_needs_is_to_be_signed() -> None:
    engagement = new_engagement()
    made = signed_path(engagement, "v1", "s1")
    handover = member(engagement, "h1", "checked=yes")
    member(engagement, "l1")
    assert eng_show(engagement)["next_step"] == {
        "stage": "handover",
        "questionnaire": "s2d",
        "reason": f"sign {handover}: the kickoff expects a signed S2D handover",
    }
    sign(handover)
    step = eng_show(engagement)["next_step"]
    assert step["stage"] == "inspect" and "waiting" not in step["reason"]
    assert made


def test_a_missing_earlier_stage_is_started() -> None:
    engagement = new_engagement()
    pesa = member(engagement, "s1", "checked=yes")
    sign(pesa)
    member(engagement, "h1")
    assert eng_show(engagement)["next_step"] == {
        "stage": "validation",
        "questionnaire": "oqr",
        "reason": "the S2D handover expects a signed OQR (approved or approved with conditions)",
    }


def test_waiting_and_started_early_as_before() -> None:
    engagement = new_engagement()
    oqr = member(engagement, "v1")
    pesa = member(engagement, "s1", "checked=yes")
    sign(pesa)
    reason = eng_show(engagement)["next_step"]["reason"]
    assert reason == (
        "the SOW stage is in place; hand over from sales to delivery; waiting: the S2D "
        "handover expects a signed OQR (approved or approved with conditions)"
    )
    ok("new", "h1", "--title", "S2D", "--engagement", engagement, "--override", "on paper")
    assert f"sign {oqr}:" in eng_show(engagement)["next_step"]["reason"]


# ---- success metrics -------------------------------------------------------------------------


def test_kpis_from_the_dqis_then_from_the_close() -> None:
    engagement = new_engagement()
    made = signed_path(engagement, "v1", "s1", "h1", "l1")
    ok("set", made["v1"], "quality=3")  # void, but scored: 75
    kpis = eng_show(engagement)["kpis"]
    assert kpis == {
        "quality_score": 75.0,
        "quality_target": 90,
        "risk_mitigation_pct": None,
        "csat": None,
        "on_time": None,
        "on_budget": None,
        "security_incidents": None,
    }
    first = member(engagement, "d1", f"inspection_date={ago(60)}", "security_incidents=2",
                   "schedule_variance_pct=25", "budget_variance_pct=5", "tcv=6M")  # fmt: skip
    second = member(engagement, "d1", f"inspection_date={ago(5)}", "security_incidents=1",
                    "quality=2", "csat_signal=neutral", "schedule_variance_pct=10",
                    "budget_variance_pct=12", "note=other")  # fmt: skip
    assert first  # the second DQI carries the first's open row: its copy is the latest
    (latest,) = [r["id"] for r in eng_show(engagement)["risks"] if r["review"] == second]
    ok("risk", second, latest, "--status", "mitigated")
    kpis = eng_show(engagement)["kpis"]
    assert kpis == {
        "quality_score": 50.0,  # the latest DQI's
        "quality_target": 90,
        "risk_mitigation_pct": 100,  # one risk: big, mitigated on its latest row
        "csat": "neutral",
        "on_time": True,  # 10 % late: within 10 %
        "on_budget": False,
        "security_incidents": 3,
    }
    close = member(engagement, "c1", "csat_score=4", "delivered_on_time=no",
                   "delivered_on_budget=yes")  # fmt: skip
    kpis = eng_show(engagement)["kpis"]
    assert (kpis["csat"], kpis["on_time"], kpis["on_budget"]) == (4, False, True)
    assert close


def test_risk_mitigation_is_a_whole_percent_of_the_latest_rows() -> None:
    engagement = new_engagement()
    oqr = member(engagement, "v1", "tcv=6M")
    for number in range(2):
        ok("risk", oqr, "--add", f"Extra {number}")
    rows = [r["id"] for r in eng_show(engagement)["risks"]]
    ok("risk", oqr, rows[0], "--status", "mitigated")
    assert eng_show(engagement)["kpis"]["risk_mitigation_pct"] == 33  # 1 of 3


def test_report_items_and_totals_carry_kpis(tmp_path: Path) -> None:
    engagement = new_engagement()
    made = signed_path(engagement, "v1", "s1", "h1", "l1")
    ok("set", made["v1"], "quality=3")
    member(engagement, "d1", f"inspection_date={ago(5)}", "security_incidents=1",
           "schedule_variance_pct=0", "quality=4")  # fmt: skip
    loose = ok("new", "d1", "--title", "Loose DQI")
    ok("set", loose, f"inspection_date={ago(5)}", "security_incidents=2",
       "schedule_variance_pct=50", "quality=1")  # fmt: skip
    report = json.loads(ok("report", "--format", "json"))
    items = {item["id"]: item for item in report["items"]}
    assert items[engagement]["kpis"]["security_incidents"] == 1
    assert items[engagement]["kpis"]["on_time"] is True
    assert items[loose]["kpis"]["on_time"] is False
    assert list(items[loose])[-1] == "kpis"
    assert report["totals"]["kpis"] == {
        "quality_score": 62.5,  # (100 + 25) / 2
        "quality_target": 90.0,
        "risk_mitigation_pct": None,
        "csat": None,
        "on_time": 0.5,
        "on_budget": None,
        "security_incidents": 1.5,
    }
    assert items[loose]["rag"] == eng_show_rag(loose)


def eng_show_rag(review: str) -> str:
    status: str = show(review)["rag"]["status"]
    return status
