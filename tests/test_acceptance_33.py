"""Black-box acceptance of issue 33, written from the issue text alone: every command,
option, JSON key, id, exit status and quoted message it names, through the real CLI
(click's runner, as the hidden cases drive it), real files and a real workspace."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from .cli_support import gb, ok, show
from .conftest import write

OUTCOME_KEYS = {
    "id", "title", "cbo", "metric", "baseline", "target", "by", "status", "evidence", "origin",
}  # fmt: skip
STATUSES = [
    "planned", "on_track", "at_risk", "off_track", "achieved", "partly_achieved", "not_achieved",
]  # fmt: skip
KPI_KEYS = {
    "quality_score", "quality_target", "risk_mitigation_pct", "csat", "on_time", "on_budget",
    "security_incidents",
}  # fmt: skip


ROLES = {
    "oqr": ("engagement_lead", "reviewer"),
    "pesa": ("security_reviewer", "engagement_lead"),
    "s2d": ("sales_lead", "delivery_lead"),
    "kickoff": ("engagement_lead",),
}


def evaluate(tmp_path: Path, questionnaire: str, answers: dict[str, Any]) -> dict[str, Any]:
    """`gatebook eval QUESTIONNAIRE --answers FILE --format json`, parsed (exit 0)."""
    path = write(tmp_path / f"{questionnaire}-answers.yaml", yaml.safe_dump(answers))
    code, out, err = gb("eval", questionnaire, "--answers", str(path), "--format", "json")
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def flag_map(flags: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {flag["id"]: flag for flag in flags}


def review_flags(review: str) -> dict[str, dict[str, Any]]:
    return flag_map(show(review)["evaluation"]["flags"])


# -- the outcome command -----------------------------------------------------------------


def test_outcome_add_prints_only_the_new_id_and_the_row_has_the_issue_keys() -> None:
    review = ok("new", "oqr", "--title", "Acme OQR")
    code, out, _ = gb(
        "outcome", review, "--add", "Cut claim time", "--cbo", "efficiency", "--metric",
        "median days", "--baseline", "12", "--target", "6", "--by", "2027-06-30",
    )  # fmt: skip
    assert code == 0
    outcome = out.strip()
    assert re.fullmatch(r"outcome_[a-z0-9]{6}", outcome), out
    rows = show(review)["outcomes"]
    assert len(rows) == 1
    row = rows[0]
    assert set(row) >= OUTCOME_KEYS
    assert {key: row[key] for key in OUTCOME_KEYS} == {
        "id": outcome, "title": "Cut claim time", "cbo": "efficiency", "metric": "median days",
        "baseline": "12", "target": "6", "by": "2027-06-30", "status": "planned",
        "evidence": None, "origin": None,
    }  # fmt: skip
    assert row.get("first_origin") is None


@pytest.mark.parametrize("status", STATUSES)
def test_outcome_edits_every_field_and_accepts_every_status(status: str) -> None:
    review = ok("new", "oqr", "--title", "Acme OQR")
    outcome = ok("outcome", review, "--add", "First")
    ok(
        "outcome", review, outcome, "--title", "Renamed", "--cbo", "revenue", "--metric", "ARR",
        "--baseline", "1M", "--target", "2M", "--by", "2027-01-31", "--status", status,
        "--evidence", "Q1 board pack",
    )  # fmt: skip
    (row,) = show(review)["outcomes"]
    assert {key: row[key] for key in OUTCOME_KEYS - {"id", "origin"}} == {
        "title": "Renamed", "cbo": "revenue", "metric": "ARR", "baseline": "1M",
        "target": "2M", "by": "2027-01-31", "status": status, "evidence": "Q1 board pack",
    }  # fmt: skip


@pytest.mark.parametrize("cbo", ["reduced_risk", "esg", "revenue", "efficiency"])
def test_outcome_cbo_takes_the_four_s2d_categories(cbo: str) -> None:
    review = ok("new", "s2d", "--title", "Acme S2D")
    outcome = ok("outcome", review, "--add", "Outcome", "--cbo", cbo)
    assert show(review)["outcomes"][0]["cbo"] == cbo
    ok("outcome", review, outcome, "--cbo", "")  # empty clears
    assert show(review)["outcomes"][0]["cbo"] is None


@pytest.mark.parametrize(
    "args",
    [
        ["--status", "done"],
        ["--cbo", "money"],
        ["--by", "2027-13-01"],
        ["--by", "next week"],
    ],
)
def test_outcome_refuses_a_bad_value_with_exit_2_and_writes_nothing(args: list[str]) -> None:
    review = ok("new", "oqr", "--title", "Acme OQR")
    outcome = ok("outcome", review, "--add", "First")
    before = show(review)
    code, out, err = gb("outcome", review, outcome, *args)
    assert code == 2 and out == ""
    assert args[0] in err
    assert show(review)["outcomes"] == before["outcomes"]
    assert show(review)["digest"] == before["digest"]


def test_outcome_unknown_id_exits_2_with_did_you_mean() -> None:
    review = ok("new", "oqr", "--title", "Acme OQR")
    outcome = ok("outcome", review, "--add", "First")
    code, _, err = gb("outcome", review, outcome[:-1] + ("x" if outcome[-1] != "x" else "y"))
    assert code == 2
    assert outcome in err and "Did you mean" in err


def test_outcome_add_refuses_a_bad_value_before_writing() -> None:
    review = ok("new", "oqr", "--title", "Acme OQR")
    code, out, _ = gb("outcome", review, "--add", "First", "--cbo", "profit")
    assert code == 2 and out == ""
    assert show(review)["outcomes"] == []


# -- digests: outcomes enter the content only once non-empty ---------------------------------


def test_outcomes_enter_the_digest_only_once_non_empty() -> None:
    review = ok("new", "oqr", "--title", "Acme OQR")
    digest = show(review)["digest"]
    ok("set", review, "customer=Acme")
    ok("set", review, "customer=")
    assert show(review)["digest"] == digest  # nothing but an answer went and came back
    ok("outcome", review, "--add", "First")
    assert show(review)["digest"] != digest


# -- flags over the registers -------------------------------------------------------------


@pytest.mark.parametrize("questionnaire", ["oqr", "s2d"])
def test_no_outcomes_is_medium_raised_on_a_review_and_never_by_eval_answers(
    tmp_path: Path, questionnaire: str
) -> None:
    assert "no_outcomes" not in flag_map(evaluate(tmp_path, questionnaire, {})["flags"])
    review = ok("new", questionnaire, "--title", "Acme")
    flag = review_flags(review)["no_outcomes"]
    assert flag["severity"] == "medium"
    ok("outcome", review, "--add", "Cut churn")
    assert "no_outcomes" not in review_flags(review)


def test_the_live_s2d_no_longer_has_no_measurable_outcome(tmp_path: Path) -> None:
    data = evaluate(tmp_path, "s2d", {"business_outcomes": []})
    assert "no_measurable_outcome" not in flag_map(data["flags"])
    assert "no_measurable_outcome" not in data["undecided"]["flags"]


def test_one_seed_pattern_plus_no_outcomes_does_not_escalate() -> None:
    review = ok("new", "oqr", "--title", "Acme OQR")
    ok("set", review, "tcv_usd=6M")
    shown = show(review)
    assert set(flag_map(shown["evaluation"]["flags"])) == {"large_deal_size", "no_outcomes"}
    assert "multiple_high_risks" not in json.dumps(shown["escalation"]["reasons"])


def test_kickoff_outcome_unmeasurable_names_the_outcome() -> None:
    review = ok("new", "kickoff", "--title", "Acme kickoff")
    no_metric = ok("outcome", review, "--add", "Faster close", "--target", "3 days")
    ok("outcome", review, "--add", "Lower cost", "--metric", "cost per run")
    flag = review_flags(review)["outcome_unmeasurable"]
    assert flag["severity"] == "high"
    assert "Faster close" in flag["why"] and "Lower cost" in flag["why"]
    ok("outcome", review, no_metric, "--metric", "days")
    assert "Faster close" not in review_flags(review)["outcome_unmeasurable"]["why"]


def test_dqi_outcome_at_risk_and_off_track() -> None:
    review = ok("new", "dqi", "--title", "Acme DQI")
    assert {"outcome_at_risk", "outcome_off_track"}.isdisjoint(review_flags(review))
    at_risk = ok("outcome", review, "--add", "Close faster")
    off_track = ok("outcome", review, "--add", "Fewer findings")
    ok("outcome", review, at_risk, "--status", "at_risk")
    ok("outcome", review, off_track, "--status", "off_track")
    flags = review_flags(review)
    assert flags["outcome_at_risk"]["severity"] == "medium"
    assert "Close faster" in flags["outcome_at_risk"]["why"]
    assert flags["outcome_off_track"]["severity"] == "high"
    assert "Fewer findings" in flags["outcome_off_track"]["why"]


def test_close_outcome_flags() -> None:
    review = ok("new", "close", "--title", "Acme close")
    titles = {"planned": "Not looked at", "on_track": "Still running",
              "partly_achieved": "Half there", "not_achieved": "Missed",
              "achieved": "Done"}  # fmt: skip
    for status, title in titles.items():
        outcome = ok("outcome", review, "--add", title)
        ok("outcome", review, outcome, "--status", status)
    flags = review_flags(review)
    assert flags["outcome_not_assessed"]["severity"] == "high"
    assert "Not looked at" in flags["outcome_not_assessed"]["why"]
    assert "Still running" in flags["outcome_not_assessed"]["why"]
    assert "Half there" not in flags["outcome_not_assessed"]["why"]
    assert flags["outcome_partly_achieved"]["severity"] == "medium"
    assert "Half there" in flags["outcome_partly_achieved"]["why"]
    assert flags["outcome_not_achieved"]["severity"] == "high"
    assert "Missed" in flags["outcome_not_achieved"]["why"]
    assert "Done" not in json.dumps(list(flags.values()))


def test_the_new_close_has_no_outcomes_achieved_rating(tmp_path: Path) -> None:
    path = write(tmp_path / "a.yaml", "outcomes_achieved: 0\n")
    code, _, err = gb("eval", "close", "--answers", str(path), "--format", "json")
    assert code == 2 and "outcomes_achieved" in err and "Traceback" not in err


def cbos_unmet(review: str) -> bool:
    unmet = show(review)["evaluation"]["gates"]["pre_implementation"]["unmet"]
    return any(item.split(".")[-1] == "cbos_validated" for item in unmet)


def test_cbos_validated_is_met_by_an_outcome_with_a_metric() -> None:
    """The ticked item is met once an outcome has a metric, or the criteria are written."""
    review = ok("new", "oqr", "--title", "Acme OQR")
    ok("set", review, "gate_pre_implementation=cbos_validated")
    assert cbos_unmet(review)
    outcome = ok("outcome", review, "--add", "Close faster")
    assert cbos_unmet(review)
    ok("outcome", review, outcome, "--metric", "days to close")
    assert not cbos_unmet(review)
    other = ok("new", "oqr", "--title", "Other OQR")
    ok("set", other, "gate_pre_implementation=cbos_validated")
    ok("set", other, "cbo_success_criteria=Close in 3 days")
    assert not cbos_unmet(other)


# -- diff and milestones ------------------------------------------------------------------


def test_diff_gains_outcomes_row_field_from_to() -> None:
    review = ok("new", "oqr", "--title", "Acme OQR")
    outcome = ok("outcome", review, "--add", "Close faster")
    ok("milestone", review, "m1")
    ok("outcome", review, outcome, "--status", "on_track")
    diff = json.loads(ok("diff", review, "m1", "--format", "json"))
    assert diff["outcomes"] == [
        {"row": outcome, "field": "status", "from": "planned", "to": "on_track"}
    ]


# -- security all the way ------------------------------------------------------------------


def test_kickoff_low_security_effort_below_8_percent(tmp_path: Path) -> None:
    low = evaluate(tmp_path, "kickoff", {"total_hours": 1000, "security_hours": 79})
    assert flag_map(low["flags"])["low_security_effort"]["severity"] == "high"
    exact = evaluate(tmp_path, "kickoff", {"total_hours": 57.5, "security_hours": 4.6})
    assert "low_security_effort" not in flag_map(exact["flags"])


def test_kickoff_has_security_controls_in_place_and_dqi_cadence(tmp_path: Path) -> None:
    data = evaluate(
        tmp_path, "kickoff", {"security_controls_in_place": True, "dqi_cadence_days": 60}
    )
    assert "security_controls_in_place" not in data["missing"]


def test_dqi_security_incident_is_high_and_zero_raises_nothing(tmp_path: Path) -> None:
    raised = evaluate(tmp_path, "dqi", {"security_incidents": 1, "security_posture": 3})
    assert flag_map(raised["flags"])["security_incident"]["severity"] == "high"
    clean = evaluate(tmp_path, "dqi", {"security_incidents": 0})
    assert "security_incident" not in flag_map(clean["flags"])


def test_close_security_not_validated_is_high_and_in_the_close_gate(tmp_path: Path) -> None:
    data = evaluate(tmp_path, "close", {"security_posture_validated": False})
    assert flag_map(data["flags"])["security_not_validated"]["severity"] == "high"
    assert "security_posture_validated" in data["gates"]["close_gate"]["unmet"]
    good = evaluate(tmp_path, "close", {"security_posture_validated": True})
    assert "security_not_validated" not in flag_map(good["flags"])
    assert "security_posture_validated" not in good["gates"]["close_gate"]["unmet"]


# -- deliverables ---------------------------------------------------------------------------


def test_dqi_deliverable_late_counts_a_missing_status_as_not_delivered(tmp_path: Path) -> None:
    data = evaluate(
        tmp_path,
        "dqi",
        {
            "inspection_date": "2026-06-01",
            "deliverables": [
                {"deliverable": "No status", "owner": "Bo", "due": "2026-05-01"},
                {"deliverable": "Delivered", "owner": "Bo", "due": "2026-05-01",
                 "status": "delivered"},
                {"deliverable": "Accepted", "owner": "Bo", "due": "2026-05-01",
                 "status": "accepted"},
                {"deliverable": "Not due", "owner": "Bo", "due": "2026-07-01",
                 "status": "not_started"},
                {"deliverable": "Due that day", "owner": "Bo", "due": "2026-06-01",
                 "status": "in_progress"},
                {"deliverable": "Running late", "owner": "Bo", "due": "2026-05-31",
                 "status": "in_progress"},
            ],
        },
    )  # fmt: skip
    flag = flag_map(data["flags"])["deliverable_late"]
    assert flag["severity"] == "high"
    assert "No status" in flag["why"] and "Running late" in flag["why"]
    for fine in ("Delivered", "Accepted", "Not due", "Due that day"):
        assert fine not in flag["why"]


@pytest.mark.parametrize(
    ("row", "named"),
    [
        ({"quality_reviewed": False, "accepted": True, "accepted_by": "CIO",
          "accepted_on": "2026-11-20"}, True),
        ({"quality_reviewed": True, "accepted": False, "accepted_by": "CIO",
          "accepted_on": "2026-11-20"}, True),
        ({"quality_reviewed": True, "accepted": True, "accepted_on": "2026-11-20"}, True),
        ({"quality_reviewed": True, "accepted": True, "accepted_by": "CIO"}, True),
        ({"quality_reviewed": True, "accepted": True, "accepted_by": "CIO",
          "accepted_on": "2026-11-20"}, False),
    ],
)  # fmt: skip
def test_close_unaccepted_deliverable_names_each_and_fails_the_close_gate(
    tmp_path: Path, row: dict[str, Any], named: bool
) -> None:
    accepted = {"deliverable": "Landing zone", "owner": "Bo", "due": "2026-10-01",
                "quality_reviewed": True, "accepted": True, "accepted_by": "CIO",
                "accepted_on": "2026-11-20"}  # fmt: skip
    data = evaluate(
        tmp_path,
        "close",
        {"deliverables": [accepted, {"deliverable": "Runbooks", "owner": "Cy",
                                     "due": "2026-10-02", **row}]},
    )  # fmt: skip
    flags = flag_map(data["flags"])
    assert ("unaccepted_deliverable" in flags) is named
    if named:
        assert flags["unaccepted_deliverable"]["severity"] == "high"
        assert "Runbooks" in flags["unaccepted_deliverable"]["why"]
        assert "Landing zone" not in flags["unaccepted_deliverable"]["why"]
        assert not data["gates"]["close_gate"]["passed"]


# -- gates that mean what they say -----------------------------------------------------------


def test_close_met_is_66_7_against_66_and_csat_is_1_to_5(tmp_path: Path) -> None:
    data = evaluate(
        tmp_path,
        "close",
        {"on_time_budget": 2, "delivered_on_time": True, "delivered_on_budget": True,
         "csat_score": 5},
    )  # fmt: skip
    assert data["overall"] == 66.7 and data["target"] == 66
    for bad in (0, 6):
        path = write(tmp_path / "bad.yaml", f"csat_score: {bad}\n")
        code, _, err = gb("eval", "close", "--answers", str(path), "--format", "json")
        assert code == 2 and "csat_score" in err


def test_the_close_rating_labels_are_the_issue_s_four() -> None:
    questionnaire = yaml.safe_load(
        (Path(__file__).parents[1] / "questionnaires" / "close.yaml").read_text()
    )
    assert questionnaire["rating_scale"] == ["Not met", "Partly met", "Met", "Exceeded"]


def test_okr_intake_wont_priority_cannot_be_approved(tmp_path: Path) -> None:
    data = evaluate(tmp_path, "okr-intake", {"priority": "wont"})
    assert any(not gate["passed"] for gate in data["gates"].values())
    must = evaluate(tmp_path, "okr-intake", {"priority": "must"})
    wont_gates = {g for g, gate in data["gates"].items() if gate["unmet"]}
    assert any(not must["gates"][g]["unmet"] for g in wont_gates)


# -- the engagement ------------------------------------------------------------------------


def test_engagement_show_json_has_exactly_the_contract_keys() -> None:
    engagement = ok("engagement", "new", "Acme", "--customer", "Acme")
    shown = json.loads(ok("engagement", "show", engagement, "--format", "json"))
    assert set(shown) == {
        "id", "title", "customer", "stage", "status", "reasons", "reviews", "shared", "risks",
        "next_step", "outcomes", "kpis",
    }  # fmt: skip
    assert shown["reasons"] == [] and shown["outcomes"] == []
    assert set(shown["kpis"]) == KPI_KEYS
    assert shown["kpis"]["quality_target"] == 90


def test_outcomes_carry_forward_with_origin_and_first_origin() -> None:
    engagement = ok("engagement", "new", "Acme", "--customer", "Acme")
    oqr = ok("new", "oqr", "--title", "OQR", "--engagement", engagement)
    outcome = ok("outcome", oqr, "--add", "Close faster", "--metric", "days", "--target", "3")
    pesa = ok("new", "pesa", "--title", "PESA", "--engagement", engagement, "--override", "t")
    s2d = ok("new", "s2d", "--title", "S2D", "--engagement", engagement, "--override", "t")
    (row,) = show(s2d)["outcomes"]
    assert row["id"] == outcome and row["title"] == "Close faster"
    assert row["origin"] in (f"{pesa}/{outcome}", f"{oqr}/{outcome}")
    assert row["first_origin"] == f"{oqr}/{outcome}"
    ok("outcome", s2d, outcome, "--status", "on_track")
    shown = json.loads(ok("engagement", "show", engagement, "--format", "json"))
    (latest,) = shown["outcomes"]
    assert latest["review"] == s2d and latest["status"] == "on_track"


def test_s2d_without_a_signed_pesa_warns_and_next_step_names_the_pesa() -> None:
    engagement = ok("engagement", "new", "Acme", "--customer", "Acme")
    ok("new", "oqr", "--title", "OQR", "--engagement", engagement)
    code, out, err = gb("new", "s2d", "--title", "S2D", "--engagement", engagement)
    assert code == 0 and out.strip()
    assert "warning" in err and "the PESA is required before the SOW" in err
    shown = json.loads(ok("engagement", "show", engagement, "--format", "json"))
    assert shown["next_step"] == {
        "stage": "sow", "questionnaire": "pesa", "reason": "the PESA is required before the SOW",
    }  # fmt: skip


def test_next_step_after_a_dqi_is_the_next_inspection_at_the_default_cadence() -> None:
    engagement = ok("engagement", "new", "Acme", "--customer", "Acme")
    for questionnaire in ("oqr", "pesa", "s2d", "kickoff"):
        review = ok("new", questionnaire, "--title", questionnaire, "--engagement", engagement,
                    "--override", "test")  # fmt: skip
        for role in ROLES[questionnaire]:  # every stage before the DQI signed
            ok("signoff", review, "--role", role, "--name", role, "--decision",
               "approved", "--no-sign", "--override", "test")  # fmt: skip
    dqi = ok("new", "dqi", "--title", "DQI 1", "--engagement", engagement, "--override", "t")
    ok("set", dqi, "inspection_date=2026-03-01")
    shown = json.loads(ok("engagement", "show", engagement, "--format", "json"))
    assert shown["next_step"]["stage"] == "inspect"
    assert shown["next_step"]["questionnaire"] == "dqi"
    assert "next inspection due 2026-05-30" in shown["next_step"]["reason"]  # + 90 days
    ok("set", dqi, "ready_to_close=yes")
    shown = json.loads(ok("engagement", "show", engagement, "--format", "json"))
    assert shown["next_step"]["questionnaire"] == "close"
