"""Black-box acceptance of issue 33, written from the issue text alone: every command,
option, JSON key, id, exit status and quoted message it names, through the real CLI
(click's runner, as the hidden cases drive it), real files and a real workspace."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from .cli_support import gb, ok, run_gatebook_process, show
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


def test_engagement_add_carries_rows_and_outcomes_in_one_entry_and_keeps_answers() -> None:
    engagement = ok("engagement", "new", "Acme", "--customer", "Acme")
    oqr = ok("new", "oqr", "--title", "OQR", "--engagement", engagement)
    ok("set", oqr, "tcv_usd=6M", "production_access=yes")
    outcome = ok("outcome", oqr, "--add", "Close faster")
    loose = ok("new", "s2d", "--title", "S2D from home")
    ok("set", loose, "customer=Beta")
    before = ok("history", loose).splitlines()
    code, _, err = gb("engagement", "add", engagement, loose)
    assert code == 0 and "carried in" in err
    assert len(ok("history", loose).splitlines()) == len(before) + 1
    shown = show(loose)
    assert shown["answers"]["customer"] == "Beta"  # never overwritten
    assert {row["origin"] for row in shown["outcomes"]} == {f"{oqr}/{outcome}"}
    origins = {row["id"]: row["origin"] for row in shown["risk_register"]}
    assert origins["large_deal_size"] == f"{oqr}/large_deal_size"
    assert origins["production_access"] == f"{oqr}/production_access"
    engagement_view = json.loads(ok("engagement", "show", engagement, "--format", "json"))
    assert engagement_view["shared"]["customer"] == "Acme"


def test_engagement_add_of_a_signed_review_joins_untouched_with_a_warning() -> None:
    engagement = ok("engagement", "new", "Acme", "--customer", "Acme")
    oqr = ok("new", "oqr", "--title", "OQR", "--engagement", engagement)
    ok("outcome", oqr, "--add", "Close faster")
    loose = ok("new", "s2d", "--title", "S2D from home")
    for role in ROLES["s2d"]:
        ok("signoff", loose, "--role", role, "--name", role, "--decision", "approved",
           "--no-sign", "--override", "test")  # fmt: skip
    digest = show(loose)["digest"]
    code, _, err = gb("engagement", "add", engagement, loose)
    assert code == 0 and "warning" in err
    shown = show(loose)
    assert shown["digest"] == digest and shown["outcomes"] == [] and shown["status"] == "signed"


# -- the OKR process ---------------------------------------------------------------------


def results(
    review: str, direction: str, thresholds: tuple[int, int, int, int], value: int
) -> tuple[list[dict[str, Any]], str | None, bool]:
    """Sets one observed row; (metric_results, negative_impact's severity, escalate)."""
    names = ("success", "partial_success", "no_impact", "negative_impact")
    row = dict(zip(names, thresholds, strict=True))
    cell = {"metric": "M", "direction": direction, **row, "value": value}
    ok("set", review, "observed=" + json.dumps([cell]))
    shown = show(review)
    flags = flag_map(shown["evaluation"]["flags"])
    negative = flags.get("negative_impact")
    return (
        shown["metric_results"],
        negative and negative["severity"],
        shown["escalation"]["required"],
    )


@pytest.mark.parametrize(
    ("value", "result", "severity"),
    [
        (100, "success", None), (120, "success", None), (50, "partial_success", None),
        (25, "no_impact", None), (0, "no_impact", None), (-5, "negative_impact", "medium"),
        (-10, "negative_impact", "high"), (-20, "negative_impact", "high"),
    ],
)  # fmt: skip
def test_okr_review_bands_where_more_is_better(
    value: int, result: str, severity: str | None
) -> None:
    review = ok("new", "okr-review", "--title", "Q3")
    metric_results, raised, escalate = results(review, "higher", (100, 50, 0, -10), value)
    assert metric_results == [{"metric": "M", "observed": value, "result": result}]
    assert raised == severity
    assert escalate is (severity == "high")


@pytest.mark.parametrize(
    ("value", "result", "severity"),
    [
        (5, "success", None), (10, "success", None), (20, "partial_success", None),
        (30, "no_impact", None), (35, "negative_impact", "medium"),
        (40, "negative_impact", "high"), (55, "negative_impact", "high"),
    ],
)  # fmt: skip
def test_okr_review_bands_mirrored_where_less_is_better(
    value: int, result: str, severity: str | None
) -> None:
    review = ok("new", "okr-review", "--title", "Q3")
    metric_results, raised, _ = results(review, "lower", (10, 20, 30, 40), value)
    assert metric_results == [{"metric": "M", "observed": value, "result": result}]
    assert raised == severity


def test_okr_review_retrospective_only_on_the_final_checkpoint(tmp_path: Path) -> None:
    retro = {"qualitative_summary", "retrospective_outcome", "retrospective_next",
             "leadership_summary"}  # fmt: skip
    assert retro.isdisjoint(evaluate(tmp_path, "okr-review", {"final": False})["missing"])
    assert retro <= set(evaluate(tmp_path, "okr-review", {"final": True})["missing"])
    late = evaluate(
        tmp_path, "okr-review", {"checkpoint_due": "2026-09-30", "checkpoint_date": "2026-10-04"}
    )
    assert flag_map(late["flags"])["checkpoint_late"]["severity"] == "medium"


def test_report_items_and_totals_gain_kpis() -> None:
    engagement = ok("engagement", "new", "Acme", "--customer", "Acme")
    ok("new", "oqr", "--title", "OQR", "--engagement", engagement)
    ok("new", "oqr", "--title", "Loose OQR")
    code, out, err = gb("report", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["items"] and all(set(item["kpis"]) == KPI_KEYS for item in data["items"])
    assert set(data["totals"]["kpis"]) == KPI_KEYS


# -- issue 31, the literal contract ----------------------------------------------------------


def test_a_risk_added_by_hand_gets_a_random_id() -> None:
    review = ok("new", "oqr", "--title", "OQR")
    first = ok("risk", review, "--add", "Vendor lock-in")
    second = ok("risk", review, "--add", "Key person")
    assert re.fullmatch(r"risk_[a-z0-9]{6}", first) and re.fullmatch(r"risk_[a-z0-9]{6}", second)
    assert first != second


def test_require_signatures_needs_allowed_signers(tmp_path: Path) -> None:
    review = ok("new", "oqr", "--title", "OQR")
    plan = tmp_path / "plan.md"
    ok("export", review, "-o", str(plan))
    code, _, err = gb("verify", str(plan), "--require-signatures")
    assert code == 2 and "--allowed-signers" in err
    report = json.loads(ok("verify", str(plan), "--format", "json"))
    assert {"ok", "digest_ok", "body_ok", "signoffs", "notes"} <= set(report)


def test_engagement_plan_refuses_an_engagement_with_no_members() -> None:
    engagement = ok("engagement", "new", "Acme")
    code, out, _ = gb("engagement", "plan", engagement)
    assert code == 1 and out == ""


def test_conflicts_json_is_a_list_and_resolve_refuses_a_field_not_in_conflict() -> None:
    review = ok("new", "oqr", "--title", "OQR")
    assert json.loads(ok("conflicts", "--format", "json")) == []
    digest = show(review)["digest"]
    code, _, err = gb("resolve", review, "version", "--take", "theirs")
    assert code == 2 and "version" in err
    assert show(review)["digest"] == digest


def test_a_control_character_is_refused_where_it_enters() -> None:
    review = ok("new", "oqr", "--title", "OQR")
    code, _, err = gb("set", review, "customer=Ac\x01me")
    assert code == 2 and "customer" in err
    assert show(review)["answers"].get("customer") is None


def test_damage_never_hides_red_and_report_lists_it(isolated_home: Path) -> None:
    engagement = ok("engagement", "new", "Acme")
    review = ok("new", "oqr", "--title", "OQR", "--engagement", engagement)
    path = isolated_home / "reviews" / f"{review}.json"
    truncated = path.read_bytes()[:50]
    path.write_bytes(truncated)
    shown = json.loads(ok("engagement", "show", engagement, "--format", "json"))
    assert shown["status"] == "red"
    assert shown["reasons"][0].startswith(f"{review}: unreadable (")
    code, out, _ = gb("report", "--format", "json")
    assert code == 1
    damaged = json.loads(out)["damaged"]
    assert [set(entry) for entry in damaged] == [{"path", "why"}]
    assert damaged[0]["path"].endswith(f"{review}.json")
    assert path.read_bytes() == truncated  # left as it was


# -- RAG is the state now ---------------------------------------------------------------------


def test_an_outcome_at_risk_on_its_latest_row_makes_the_engagement_amber() -> None:
    engagement = ok("engagement", "new", "Acme", "--customer", "Acme")
    oqr = ok("new", "oqr", "--title", "OQR", "--engagement", engagement)
    outcome = ok("outcome", oqr, "--add", "Close faster", "--metric", "days", "--target", "3")
    ok("outcome", oqr, outcome, "--status", "at_risk")
    shown = json.loads(ok("engagement", "show", engagement, "--format", "json"))
    assert shown["status"] == "amber"
    assert any(oqr in reason and "Close faster" in reason for reason in shown["reasons"])
    ok("outcome", oqr, outcome, "--status", "off_track")
    shown = json.loads(ok("engagement", "show", engagement, "--format", "json"))
    assert shown["status"] == "amber"
    s2d = ok("new", "s2d", "--title", "S2D", "--engagement", engagement, "--override", "t")
    ok("outcome", s2d, outcome, "--status", "on_track")  # the latest row decides
    shown = json.loads(ok("engagement", "show", engagement, "--format", "json"))
    assert not any("Close faster" in reason for reason in shown["reasons"])
    assert [(row["review"], row["status"]) for row in shown["outcomes"]] == [(s2d, "on_track")]


def test_back_to_green_actions_of_a_red_dqi_become_high_rows_of_the_next() -> None:
    engagement = ok("engagement", "new", "Acme", "--customer", "Acme")
    ok("new", "kickoff", "--title", "Kickoff", "--engagement", engagement, "--override", "t")
    first = ok("new", "dqi", "--title", "DQI 1", "--engagement", engagement, "--override", "t")
    actions = [
        {"action": "Patch the hosts", "owner": "Ana", "due": "2026-11-15"},
        {"action": "Review IAM", "owner": "Bo", "due": "2027-01-15"},
    ]
    ok("set", first, "inspection_date=2026-11-01", "security_incidents=1",
       "back_to_green_actions=" + json.dumps(actions))  # fmt: skip
    assert review_flags(first)["security_incident"]["severity"] == "high"  # rates red
    second = ok("new", "dqi", "--title", "DQI 2", "--engagement", engagement, "--override", "t")
    ok("set", second, "inspection_date=2026-12-01")
    rows = {row["origin"]: row for row in show(second)["risk_register"] if row["origin"]}
    for number, action in enumerate(actions, start=1):
        row = rows[f"{first}/btg_{number}"]
        assert (row["title"], row["owner"], row["due"], row["severity"], row["status"]) == (
            action["action"], action["owner"], action["due"], "high", "open",
        )  # fmt: skip
    flag = review_flags(second)["overdue_carried_risks"]  # Patch the hosts, due 2026-11-15
    assert flag["severity"] == "high"


# -- authoring: `outcomes: true` and `approve_at` in a questionnaire of one's own -------------

OWN = """\
id: mine
title: Mine
version: 1.0.0
outcomes: true
sections:
  - id: s
    title: S
    questions:
      - id: checks
        type: checklist
        prompt: Checks
        items:
          - {id: a, title: A}
          - {id: b, title: B}
          - {id: c, title: C}
gates:
  - id: g
    title: G
    approve_at: 2
    items: [checks.a, checks.b, checks.c]
signoff:
  - {id: lead, title: Lead, required: true}
"""


def test_approve_at_in_an_own_questionnaire(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    write(folder / "mine.yaml", OWN)
    options = ("--questionnaires", str(folder))
    review = ok(*options, "new", "mine", "--title", "Mine")
    ok(*options, "set", review, "checks=a")
    sign = (*options, "signoff", review, "--role", "lead", "--name", "Lee", "--no-sign")
    code, _, err = gb(*sign, "--decision", "approved")
    assert code == 1
    assert "g 1 of 3 met, 2 needed: approve with conditions, or override" in err
    code, _, err = gb(*sign, "--decision", "approved-with-conditions")
    assert code == 1 and "--comment" in err
    ok(*options, "set", review, "checks=a,b")
    ok(*sign, "--decision", "approved")  # 2 met: approved, though the gate is not passed
    shown = show(review, *options)
    assert shown["status"] == "signed"
    assert shown["evaluation"]["gates"]["g"]["passed"] is False


@pytest.mark.parametrize(
    ("line", "value"), [("approve_at: 2", "approve_at: 4"), ("approve_at: 2", "approve_at: 0")]
)
def test_approve_at_out_of_range_is_refused_at_its_line(
    tmp_path: Path, line: str, value: str
) -> None:
    path = write(tmp_path / "mine.yaml", OWN.replace(line, value))
    code, _, err = gb("validate", str(path))
    assert code == 2 and f"{path}:19:" in err and "approve_at" in err and "Traceback" not in err


def test_outcomes_true_in_an_own_questionnaire_plans_an_outcomes_chapter(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    write(folder / "mine.yaml", OWN)
    options = ("--questionnaires", str(folder))
    review = ok(*options, "new", "mine", "--title", "Mine")
    ok(*options, "outcome", review, "--add", "Cut churn", "--metric", "churn %")
    plan = ok(*options, "export", review)
    assert "## Outcomes" in plan and "Cut churn" in plan
    without = write(folder / "mine.yaml", OWN.replace("outcomes: true\n", ""))
    assert without.exists()
    other = ok(*options, "new", "mine", "--title", "Plain")
    assert "## Outcomes" not in ok(*options, "export", other)


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen")
def test_verify_words_unchecked_and_require_signatures(tmp_path: Path) -> None:
    key = tmp_path / "key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    review = ok("new", "oqr", "--title", "OQR")
    ok("signoff", review, "--role", "engagement_lead", "--name", "Ana", "--decision",
       "rejected", "--sign-key", str(key))  # fmt: skip
    plan = tmp_path / "plan.md"
    ok("export", review, "-o", str(plan))
    text = ok("verify", str(plan))
    assert "(rejected): unchecked — signature not checked" in text
    report = json.loads(ok("verify", str(plan), "--format", "json"))
    assert report["signoffs"] == [
        {"role": "engagement_lead", "name": "Ana", "decision": "rejected", "state": "unchecked"}
    ]
    allowed = write(tmp_path / "allowed", f"Ana {key.with_suffix('.pub').read_text()}")
    checked = ok("verify", str(plan), "--allowed-signers", str(allowed))
    assert "(rejected): valid" in checked
    code, _, err = gb(
        "verify", str(plan), "--allowed-signers", str(allowed), "--require-signatures"
    )
    assert code == 1 and "reviewer" in err  # a required role has no sign-off


def test_merge_file_refuses_a_bad_side_naming_it_and_leaves_ours(
    isolated_home: Path, tmp_path: Path
) -> None:
    review = ok("new", "oqr", "--title", "OQR")
    stored = (isolated_home / "reviews" / f"{review}.json").read_bytes()
    base = tmp_path / "base.json"
    ours = tmp_path / "ours.json"
    base.write_bytes(stored)
    ours.write_bytes(stored)
    theirs = write(tmp_path / "theirs.json", '{"review": {"1": {"id": 5}}}')
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    code, _, err = gb("merge-file", str(base), str(ours), str(theirs), f"reviews/{review}.json")
    assert code == 2 and err.startswith("error: THEIRS"), err
    assert ours.read_bytes() == stored
    # a FIFO is refused unopened: a real process, so a regression hangs into a failure
    done = run_gatebook_process(
        "merge-file", str(base), str(ours), str(fifo), f"reviews/{review}.json", timeout=60
    )
    assert done.returncode == 2 and done.stderr.startswith("error: THEIRS"), done.stderr
    assert ours.read_bytes() == stored
