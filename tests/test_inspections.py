"""Issue 33, inspections as a loop, with the built-in questionnaires through the CLI:
a scripted engagement OQR -> PESA -> S2D -> kickoff -> DQI (amber, with back-to-green
actions) -> DQI, what the second DQI carries (every earlier member's open rows, each
risk once as its latest row, and the first DQI's actions as rows), the overdue rule
from dates, the back-to-green plan rule, and `engagement add` carrying (or not)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from gatebook.engagement.inspections import dqi_cadence_days
from gatebook.store.model import RiskRow
from gatebook.store.origins import first_origin

from .cli_support import gb, ok, show
from .conftest import write

RISKY_DEAL = {
    "customer": "Acme",
    "tcv_usd": "6M",
    "production_access": True,
    "custom_ai_ml": True,
}
AMBER_DQI = {
    "inspection_date": "2026-06-01",
    "cadence": {"standups": True, "sprint_planning": True, "retrospectives": True,
                "stakeholder_syncs": True},
    "milestone_progress": "at_risk",
    "schedule_variance_pct": 0,
    "budget_variance_pct": 0,
    "csat_signal": "positive",
    "back_to_green_actions": [
        {"action": "Re-plan sprint 9 with the customer", "owner": "Ana", "due": "2026-06-15"},
        {"action": "Name a data migration lead", "owner": "Bo", "due": "2026-07-15"},
        {"owner": "Nobody"},  # no action text: no row
    ],
}  # fmt: skip


def answers_file(tmp: Path, name: str, answers: dict[str, Any]) -> str:
    return str(write(tmp / f"{name}.yaml", yaml.safe_dump(answers)))


def new_member(engagement: str, qid: str, tmp: Path, answers: dict[str, Any] | None = None) -> str:
    extra = ["--answers", answers_file(tmp, qid, answers)] if answers else []
    return ok("new", qid, "--title", f"Acme {qid}", "--engagement", engagement,
              "--override", "scripted", *extra)  # fmt: skip


def register(review: str) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in show(review)["risk_register"]}


def flag_ids(review: str) -> set[str]:
    return {flag["id"] for flag in show(review)["evaluation"]["flags"]}


@pytest.fixture
def scripted(tmp_path: Path) -> dict[str, str]:
    """OQR (risky deal) -> PESA -> S2D -> kickoff -> DQI 1 (amber, two actions)."""
    engagement = ok("engagement", "new", "Acme platform", "--customer", "Acme",
                    "--start", "2026-01-05")  # fmt: skip
    made = {"engagement": engagement, "oqr": new_member(engagement, "oqr", tmp_path, RISKY_DEAL)}
    for qid in ("pesa", "s2d", "kickoff"):
        made[qid] = new_member(engagement, qid, tmp_path)
    made["dqi1"] = new_member(engagement, "dqi", tmp_path, AMBER_DQI)
    return made


def test_a_second_dqi_carries_every_earlier_member_and_the_first_dqis_actions(
    scripted: dict[str, str], tmp_path: Path
) -> None:
    oqr, kickoff, dqi1 = scripted["oqr"], scripted["kickoff"], scripted["dqi1"]
    first = register(dqi1)
    assert first["large_deal_size"]["origin"] == f"{kickoff}/large_deal_size"  # latest copy
    # amber (medium flags only); the action without text leaves the plan incomplete
    assert flag_ids(dqi1) == {"milestones_behind", "no_back_to_green_plan"}
    # a risk mitigated at the first DQI is not carried on, though earlier copies are open
    ok("risk", dqi1, "ai_ml_services", "--status", "mitigated")
    ok("risk", dqi1, "production_access", "--owner", "Cy", "--status", "mitigating")
    dqi2 = new_member(scripted["engagement"], "dqi", tmp_path)
    rows = register(dqi2)
    carried = [row for row in rows.values() if row["origin"]]
    firsts = [row["first_origin"] for row in carried]
    assert len(firsts) == len(set(firsts))  # each risk once
    assert rows["production_access"]["origin"] == f"{dqi1}/production_access"  # latest row
    assert rows["production_access"]["owner"] == "Cy"
    assert rows["production_access"]["first_origin"] == f"{oqr}/production_access"
    assert rows["large_deal_size"]["origin"] == f"{dqi1}/large_deal_size"
    assert f"{oqr}/ai_ml_services" not in firsts  # mitigated in its latest row
    actions = {k: row for k, row in rows.items() if row["category"] == "back_to_green"}
    assert actions == {
        "back_to_green_1": {**actions["back_to_green_1"], "title":
            "Re-plan sprint 9 with the customer", "severity": "medium", "owner": "Ana",
            "due": "2026-06-15", "status": "open", "origin": f"{dqi1}/btg_1",
            "first_origin": f"{dqi1}/btg_1"},
        "back_to_green_2": {**actions["back_to_green_2"], "owner": "Bo", "due": "2026-07-15",
            "severity": "medium", "origin": f"{dqi1}/btg_2", "first_origin": f"{dqi1}/btg_2"},
    }  # fmt: skip
    # the rows are followed like any risk: the third DQI carries the second's copies once
    ok("risk", dqi2, "back_to_green_1", "--status", "mitigated")
    dqi3 = new_member(scripted["engagement"], "dqi", tmp_path)
    third = register(dqi3)
    assert "back_to_green_1" not in third
    assert third["back_to_green_2"]["origin"] == f"{dqi2}/back_to_green_2"
    assert third["back_to_green_2"]["first_origin"] == f"{dqi1}/btg_2"
    thirds = [row["first_origin"] for row in third.values() if row["origin"]]
    assert len(thirds) == len(set(thirds))
    assert not [row for row in third.values() if str(row["origin"]).endswith("/btg_1")]
    # the kickoff's open rows reached the second DQI through the first one's copies
    assert not [row for row in carried if row["origin"].startswith(f"{kickoff}/")]


def test_a_red_dqi_hands_on_high_actions(scripted: dict[str, str], tmp_path: Path) -> None:
    ok("set", scripted["dqi1"], "milestone_progress=off_track")
    dqi2 = new_member(scripted["engagement"], "dqi", tmp_path)
    assert register(dqi2)["back_to_green_1"]["severity"] == "high"


def test_overdue_carried_risks_comes_from_the_dates(
    scripted: dict[str, str], tmp_path: Path
) -> None:
    on_track = {**AMBER_DQI, "milestone_progress": "on_track", "inspection_date": "2026-06-10"}
    del on_track["back_to_green_actions"]
    dqi2 = new_member(scripted["engagement"], "dqi", tmp_path, on_track)
    assert "overdue_carried_risks" not in flag_ids(dqi2)  # the actions are due later
    ok("set", dqi2, "inspection_date=2026-06-20")  # past the first action's date
    shown = show(dqi2)
    raised = {flag["id"]: flag for flag in shown["evaluation"]["flags"]}
    assert raised["overdue_carried_risks"]["severity"] == "high"
    assert raised["overdue_carried_risks"]["why"].startswith("1 risk(s) carried forward")
    assert "no_back_to_green_plan" in raised  # red now, and no actions written
    ok("risk", dqi2, "back_to_green_1", "--status", "mitigated")
    assert "overdue_carried_risks" not in flag_ids(dqi2)
    ok("set", dqi2, "overdue_risks=yes")  # a self-report raises nothing
    assert "overdue_carried_risks" not in flag_ids(dqi2)


def test_missing_ceremonies_alone_ask_for_a_back_to_green_plan(
    scripted: dict[str, str], tmp_path: Path
) -> None:
    dqi = scripted["dqi1"]
    ok("set", dqi, "milestone_progress=on_track", "back_to_green_actions=",
       "cadence=standups,sprint_planning,stakeholder_syncs")  # fmt: skip
    assert flag_ids(dqi) == {"cadence_gaps", "no_back_to_green_plan"}
    ok("set", dqi, 'back_to_green_actions=[{"action": "Restart retros", "owner": "Ana"}]')
    assert "no_back_to_green_plan" in flag_ids(dqi)  # no due date: incomplete
    ok("set", dqi, 'back_to_green_actions=[{"action": "Restart retros", "owner": "Ana",'
       ' "due": "2026-06-15"}]')  # fmt: skip
    assert flag_ids(dqi) == {"cadence_gaps"}


# ---- engagement add ----------------------------------------------------------------------


def test_a_dqi_started_from_home_and_added_later_gets_the_carried_register(
    scripted: dict[str, str], tmp_path: Path
) -> None:
    loose = ok("new", "dqi", "--title", "From home", "--answers",
               answers_file(tmp_path, "own", {"customer": "Acme Corp",
                                              "milestone_progress": "on_track"}))  # fmt: skip
    ok("risk", loose, "--add", "Own risk")
    own_before = register(loose)
    code, _, err = gb("engagement", "add", scripted["engagement"], loose)
    assert code == 0 and "warning" not in err and "joined" in err
    rows = register(loose)
    assert rows["back_to_green_1"]["origin"] == f"{scripted['dqi1']}/btg_1"
    assert rows["large_deal_size"]["origin"] == f"{scripted['dqi1']}/large_deal_size"
    for key, row in own_before.items():  # its own rows stay as they were
        assert rows[key] == row
    history = json.loads(ok("history", loose, "--format", "json"))
    carries = [entry for entry in history if entry["kind"] == "carry"]
    assert len(carries) == 1 and carries[0]["key"] == scripted["engagement"]
    assert show(loose)["answers"]["customer"] == "Acme Corp"  # never overwritten
    shown = json.loads(ok("engagement", "show", scripted["engagement"], "--format", "json"))
    assert shown["shared"]["customer"] == "Acme"  # the engagement's value stays
    ok("undo", loose)  # one entry: one undo takes every carried row back out
    assert register(loose) == own_before


def test_a_signed_review_joins_untouched_with_a_warning(
    scripted: dict[str, str], tmp_path: Path
) -> None:
    loose = ok("new", "dqi", "--title", "Signed at home")
    ok("signoff", loose, "--role", "engagement_manager", "--name", "Ana", "--decision",
       "approved", "--override", "signed on paper", "--no-sign")  # fmt: skip
    before = show(loose)
    code, _, err = gb("engagement", "add", scripted["engagement"], loose)
    assert code == 0
    assert f"{loose} is signed: it joins as it is, nothing carried into it" in err
    after = show(loose)
    assert after["digest"] == before["digest"] and after["status"] == "signed"
    assert after["risk_register"] == before["risk_register"]


def test_a_joining_review_gives_shared_values_only_where_the_engagement_has_none(
    tmp_path: Path,
) -> None:
    engagement = ok("engagement", "new", "Acme platform", "--start", "2026-01-05")
    loose = ok("new", "dqi", "--title", "From home", "--answers", answers_file(
        tmp_path, "a", {"customer": "Acme", "project_start": "2025-12-01"}))  # fmt: skip
    ok("engagement", "add", engagement, loose)
    shared = json.loads(ok("engagement", "show", engagement, "--format", "json"))["shared"]
    assert shared["customer"] == "Acme"  # the engagement held none
    assert shared["project_start"] == "2026-01-05"  # it held one: kept
    assert show(loose)["answers"]["project_start"] == "2025-12-01"


# ---- pieces -------------------------------------------------------------------------------


def test_first_origin_stops_at_a_back_to_green_action() -> None:
    rows = {
        "dqi-2": {"back_to_green_1": RiskRow(title="A", origin="dqi-1/btg_1")},
        "dqi-1": {"btg_1": RiskRow(title="A row that happens to be named btg_1")},
    }
    assert first_origin("dqi-2/back_to_green_1", rows.get) == "dqi-1/btg_1"
    assert first_origin("dqi-1/btg_1", rows.get) == "dqi-1/btg_1"


@pytest.mark.parametrize(
    ("answers", "days"),
    [({}, 90), (None, 90), ({"dqi_cadence_days": 30}, 30), ({"dqi_cadence_days": 45.0}, 45),
     ({"dqi_cadence_days": 0}, 90), ({"dqi_cadence_days": "x"}, 90)],
)  # fmt: skip
def test_the_dqi_cadence_is_the_kickoffs_else_90_days(
    answers: dict[str, Any] | None, days: int
) -> None:
    assert dqi_cadence_days(answers) == days


def test_a_review_whose_questionnaire_is_gone_still_joins(isolated_home: Path) -> None:
    path = write(isolated_home / "questionnaires" / "own.yaml", """\
id: own
title: Own
version: "1"
stage: inspect
sections:
  - id: s
    title: S
    questions:
      - {id: customer, type: text, prompt: Customer, shared: true}
""")  # fmt: skip
    engagement = ok("engagement", "new", "Acme platform")
    review = ok("new", "own", "--title", "Own")
    path.unlink()
    code, _, err = gb("engagement", "add", engagement, review)
    assert code == 0 and "joined" in err
    shown = json.loads(ok("engagement", "show", engagement, "--format", "json"))
    assert shown["reviews"][0]["id"] == review


def test_a_joining_review_keeps_its_own_row_of_a_flag_and_gains_only_its_origin(
    isolated_home: Path,
) -> None:
    from .test_engagements import questionnaire

    for qid, stage in (("v1", "validation"), ("s1", "sow")):
        write(isolated_home / "questionnaires" / f"{qid}.yaml", questionnaire(qid, stage))
    engagement = ok("engagement", "new", "Acme platform")
    first = ok("new", "v1", "--title", "OQR", "--engagement", engagement)
    ok("set", first, "tcv=6M", "note=risky")
    ok("risk", first, "big", "--owner", "Ana", "--mitigation", "Phase it")
    loose = ok("new", "s1", "--title", "SOW from home")
    ok("set", loose, "tcv=7M")
    ok("risk", loose, "big", "--owner", "Bo", "--mitigation", "Own plan")
    ok("engagement", "add", engagement, loose)
    rows = register(loose)
    assert rows["big"]["owner"] == "Bo" and rows["big"]["mitigation"] == "Own plan"
    assert rows["big"]["origin"] == f"{first}/big"  # linked: one risk, not two rows
    assert rows["own_v1"]["origin"] == f"{first}/own_v1"
    assert [key for key in rows if key.startswith("big")] == ["big"]
    assert show(loose)["answers"]["tcv"] == 7000000


def test_a_row_resolved_in_an_earlier_member_is_not_carried_and_breaks_nothing(
    tmp_path: Path,
) -> None:
    """Found on the walk of issue 34: a DQI's carried rows marked mitigated clear
    `overdue_carried_risks`, whose row (holding a status) becomes `resolved`; starting
    the close then failed the store's model. A resolved row is the latest word on its
    risk: not carried, and the earlier open copy is not carried either."""
    engagement = ok("engagement", "new", "Acme platform", "--customer", "Acme")
    oqr = new_member(engagement, "oqr", tmp_path, RISKY_DEAL)
    ok("risk", oqr, "large_deal_size", "--status", "mitigating")
    ok("set", oqr, "tcv_usd=1M")  # the flag clears: its row is resolved
    assert register(oqr)["large_deal_size"]["status"] == "resolved"
    pesa = new_member(engagement, "pesa", tmp_path)
    carried = register(pesa)
    assert "large_deal_size" not in carried
    assert "production_access" in carried  # the open ones still come
