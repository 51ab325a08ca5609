"""Issue 33, delivery: deliverables from kickoff to close, security at kickoff, DQI and
close, gates that mean what they say (`approve_at`), the close's scale and target.

The engagement here is driven through the real CLI (`gatebook new --engagement`,
`set`, `signoff`) in the test's workspace; the sign-off rules are read once more
through plan/decision.py, the module the app's sign-off dialog shows them from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gatebook.engagement.members import same_shape
from gatebook.engine import evaluate
from gatebook.engine.answers import read_answers
from gatebook.engine.rows import row_names, rows_lacking, rows_where
from gatebook.plan.decision import check_decision
from gatebook.questionnaire import Questionnaire, load_questionnaire
from gatebook.questionnaire.problems import SourceError
from gatebook.store.canonical import questionnaire_snapshot
from gatebook.workspace import make_catalog, open_store

from .cli_support import gb, ok, run_gatebook_process, show

ROOT = Path(__file__).parent.parent / "questionnaires"
REFUSAL = "s2d_success_criteria 3 of 5 met, 4 needed: approve with conditions, or override"


def builtin(qid: str) -> Questionnaire:
    return load_questionnaire(ROOT / f"{qid}.yaml")


def answers_file(tmp_path: Path, name: str, answers: dict[str, Any]) -> str:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    return str(path)


def flags_of(qid: str, answers: dict[str, Any]) -> dict[str, str]:
    questionnaire = builtin(qid)
    read = read_answers(questionnaire, answers)
    return {f.id: f.why for f in evaluate(questionnaire, read.answers).flags}


# ---- approve_at: the S2D's success criteria -------------------------------------------

S2D_CRITERIA = [
    "context_understood",
    "stakeholders_aligned",
    "communication_protocols",
    "risk_mitigation_in_place",
    "customer_confidence",
]


def s2d_answers(met: int) -> dict[str, Any]:
    """A ready handover (nothing else blocks a sign-off) with `met` criteria met."""
    return {
        "customer": "Acme",
        "customer_history": "Two earlier projects, both on time.",
        "artifacts_transferred": True,
        "stakeholder_map": [
            {"name": "Ana", "role": "CIO", "influence": "decision_maker", "stance": "champion"}
        ],
        "business_outcomes": ["efficiency"],
        "outcome_criteria": [
            {"outcome": "efficiency", "criterion": "Close in 3 days", "target_date": "2027-03-31"}
        ],
        "goals_aligned": True,
        "known_risks": [{"risk": "Data quality", "mitigation": "Profiling", "owner": "Bo"}],
        "oneteam_proserve_sales": "Sam",
        "oneteam_proserve_delivery": "Dee",
        "sprint0_start": "2026-01-05",
        "kickoff_date": "2026-01-19",
        "s2d_success": {item: i < met for i, item in enumerate(S2D_CRITERIA)},
    }


def new_s2d(tmp_path: Path, met: int) -> str:
    review = ok("new", "s2d", "--title", "Acme S2D",
                "--answers", answers_file(tmp_path, "s2d", s2d_answers(met)))  # fmt: skip
    assert show(review)["evaluation"]["missing"] == []
    return review


def signoff(review: str, decision: str, *extra: str) -> tuple[int, str, str]:
    return gb("signoff", review, "--role", "sales_lead", "--name", "Ana",
              "--decision", decision, "--no-sign", *extra)  # fmt: skip


def test_s2d_success_criteria_approve_at_4_refuses_approved_at_3_of_5(tmp_path: Path) -> None:
    review = new_s2d(tmp_path, 3)
    done = run_gatebook_process("signoff", review, "--role", "sales_lead", "--name", "Ana",
                                "--decision", "approved", "--no-sign")  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.strip() == f"error: sign-off refused: {REFUSAL}"
    assert show(review)["signoffs"] == []
    code, _, err = signoff(review, "approved-with-conditions")
    assert code != 0 and "approved-with-conditions needs the conditions" in err
    assert "s2d_success_criteria 3 of 5 met, 4 needed" in err
    ok("signoff", review, "--role", "sales_lead", "--name", "Ana", "--decision",
       "approved-with-conditions", "--comment", "Confidence plan by May", "--no-sign")  # fmt: skip
    ok("signoff", review, "--role", "delivery_lead", "--name", "Dee", "--decision", "approved",
       "--override", "Sponsor accepts the gap", "--no-sign")  # fmt: skip


def test_approve_at_lets_approved_through_at_4_but_the_gate_passes_only_at_5(
    tmp_path: Path,
) -> None:
    review = new_s2d(tmp_path, 4)
    gate = show(review)["evaluation"]["gates"]["s2d_success_criteria"]
    assert (gate["passed"], gate["met"], gate["total"]) == (False, 4, 5)
    code, _, err = signoff(review, "approved")
    assert code == 0, err
    full = new_s2d(tmp_path, 5)
    assert show(full)["evaluation"]["gates"]["s2d_success_criteria"]["passed"] is True


def test_plan_decision_names_the_gate_short_of_approve_at(
    tmp_path: Path, isolated_home: Path
) -> None:
    review_id = new_s2d(tmp_path, 3)
    store = open_store(isolated_home, make_catalog(isolated_home))
    review = store.get(review_id)
    questionnaire = builtin("s2d")
    from gatebook.store.evaluation import evaluate_review

    result = evaluate_review(questionnaire, review)
    approved = check_decision(review, questionnaire, result, "approved")
    assert approved.blockers == []
    assert approved.refusal("", None) == f"sign-off refused: {REFUSAL}"
    assert approved.needs_override
    assert approved.refusal("", "accepted by the sponsor") is None
    conditional = check_decision(review, questionnaire, result, "approved-with-conditions")
    assert conditional.refusal("", None) == (
        "sign-off refused: s2d_success_criteria 3 of 5 met, 4 needed: "
        "approved-with-conditions needs the conditions (--comment TEXT), or override"
    )
    assert conditional.refusal("confidence plan by May", None) is None
    assert "s2d_success_criteria 3 of 5 met, 4 needed" in approved.summary()
    assert check_decision(review, questionnaire, result, "rejected").refusal("", None) is None


def test_approve_at_stays_out_of_the_snapshot_when_unset() -> None:
    for qid in ("oqr", "pesa", "kickoff", "dqi", "close"):
        for gate in questionnaire_snapshot(builtin(qid)).get("gates", []):
            assert "approve_at" not in gate
    gates = {g["id"]: g for g in questionnaire_snapshot(builtin("s2d"))["gates"]}
    assert gates["s2d_success_criteria"]["approve_at"] == 4
    assert "approve_at" not in gates["sprint0_complete"]


def test_approve_at_above_the_item_count_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "gated.yaml"
    path.write_text(
        "id: gated\ntitle: Gated\nversion: '1'\nsections:\n  - id: s\n    title: S\n"
        "    questions:\n      - {id: a, type: boolean, prompt: A}\n"
        "gates:\n  - id: g\n    title: G\n    approve_at: 2\n    items: [a]\n",
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as caught:
        load_questionnaire(path)
    assert "gated.yaml:12:" in str(caught.value)
    assert "approve_at 2 is more than the gate's 1 items" in str(caught.value)


# ---- kickoff: security and kickoff_ready ----------------------------------------------


def test_kickoff_security_questions_are_shared_in_the_same_shape() -> None:
    kickoff = builtin("kickoff")
    for qid in ("total_hours", "security_hours"):
        mine = kickoff.question(qid)
        assert mine is not None and mine.shared
        for other in ("oqr", "pesa"):
            theirs = builtin(other).question(qid)
            assert theirs is not None and theirs.shared and same_shape(mine, theirs)
            assert (mine.type, mine.min) == (theirs.type, theirs.min)
    controls = kickoff.question("security_controls_in_place")
    assert controls is not None and controls.type == "boolean"


def test_low_security_effort_below_8_percent_exactly() -> None:
    assert "low_security_effort" in flags_of("kickoff", {"total_hours": 1000, "security_hours": 79})
    assert "low_security_effort" not in flags_of(
        "kickoff", {"total_hours": 57.5, "security_hours": 4.6}
    )
    assert "low_security_effort" not in flags_of("kickoff", {"total_hours": 0})


def kickoff_gate(answers: dict[str, Any]) -> Any:
    questionnaire = builtin("kickoff")
    return evaluate(questionnaire, read_answers(questionnaire, answers).answers).gates[
        "kickoff_ready"
    ]


def test_kickoff_ready_reads_the_kickoffs_own_items_not_sprint0() -> None:
    sprint0 = dict.fromkeys(
        ("team_onboarded", "governance_setup", "tooling_access", "working_agreements",
         "risk_plan"), True)  # fmt: skip
    own = {
        "team_introductions": [{"name": "Ana", "organisation": "Acme", "role": "CIO"}],
        "timeline_milestones": [{"milestone": "Landing zone", "date": "2026-02-15"}],
        "success_metrics": [{"metric": "Close in 3 days", "acceptance": "Finance signs"}],
    }
    assert not kickoff_gate(sprint0).passed
    assert kickoff_gate(own).passed
    assert kickoff_gate({k: v for k, v in own.items() if k != "team_introductions"}).unmet == [
        "team_introductions"
    ]
    incomplete = {**own, "success_metrics": [{"metric": "Close in 3 days"}]}
    gate = kickoff_gate(incomplete)
    assert gate.unmet == ["success_metrics"]
    assert "no acceptance criterion" in gate.why_unmet("success_metrics")


# ---- DQI and close flags --------------------------------------------------------------


def test_deliverable_late_names_each_late_row_and_no_status_is_not_delivered() -> None:
    answers = {
        "inspection_date": "2026-06-01",
        "deliverables": [
            {"deliverable": "Landing zone", "due": "2026-05-01", "status": "in_progress"},
            {"deliverable": "Data migration", "due": "2026-04-01"},
            {"deliverable": "Runbooks", "due": "2026-05-15", "status": "delivered"},
            {"deliverable": "Training", "due": "2026-06-01", "status": "not_started"},
        ],
    }
    why = flags_of("dqi", answers)["deliverable_late"]
    assert "Landing zone, Data migration" in why and "Runbooks" not in why
    assert "Training" not in why  # due on the inspection day is not before it
    unknown = {k: v for k, v in answers.items() if k != "inspection_date"}
    assert "deliverable_late" not in flags_of("dqi", unknown)


def test_security_incident_above_zero() -> None:
    assert "security_incident" in flags_of("dqi", {"security_incidents": 1})
    assert "security_incident" not in flags_of("dqi", {"security_incidents": 0})
    posture = builtin("dqi").question("security_posture")
    assert posture is not None and posture.type == "rating"


CLOSE_DONE: dict[str, Any] = {
    "customer": "Acme",
    "close_date": "2026-11-30",
    "deliverables": [
        {
            "deliverable": "Landing zone",
            "owner": "Ana",
            "due": "2026-10-01",
            "quality_reviewed": True,
            "accepted": True,
            "accepted_by": "CIO",
            "accepted_on": "2026-11-20",
        },
    ],
    "contract_obligations_met": True,
    "artefacts_stored": True,
    "security_posture_validated": True,
    "delivered_on_time": True,
    "delivered_on_budget": True,
    "d2s_done": True,
    "d2o_applicable": False,
    "lessons_learned": "Start access requests in Sprint 0.",
    "retrospective_held": True,
    "csat_sent": True,
    "csat_score": 4,
    "on_time_budget": 2,
}


def close_result(answers: dict[str, Any]) -> Any:
    questionnaire = builtin("close")
    return evaluate(questionnaire, read_answers(questionnaire, answers).answers)


@pytest.mark.parametrize(
    ("row", "named"),
    [
        ({"quality_reviewed": False}, True),
        ({"accepted": False}, True),
        ({"accepted_by": ""}, True),
        ({"accepted_on": None}, True),
        ({}, False),
    ],
)
def test_unaccepted_deliverable_names_rows_and_fails_the_close_gate(
    row: dict[str, Any], named: bool
) -> None:
    rows = [
        {**CLOSE_DONE["deliverables"][0], "deliverable": "Runbooks", **row},
        CLOSE_DONE["deliverables"][0],
    ]
    result = close_result({**CLOSE_DONE, "deliverables": rows})
    flags = {f.id: f.why for f in result.flags}
    assert ("unaccepted_deliverable" in flags) is named
    assert result.gates["close_gate"].passed is not named
    if named:
        assert "Runbooks" in flags["unaccepted_deliverable"]
        assert "Landing zone" not in flags["unaccepted_deliverable"]


def test_security_not_validated_raises_and_fails_the_close_gate() -> None:
    result = close_result({**CLOSE_DONE, "security_posture_validated": False})
    assert "security_not_validated" in {f.id for f in result.flags}
    assert "security_posture_validated" in result.gates["close_gate"].unmet
    assert close_result(CLOSE_DONE).gates["close_gate"].passed


def test_close_scale_puts_met_at_66_7_against_target_66() -> None:
    close = builtin("close")
    assert close.rating_scale == ["Not met", "Partly met", "Met", "Exceeded"]
    assert close.target == 66
    result = close_result(CLOSE_DONE)
    assert result.scores["performance"] == pytest.approx(66.7, abs=0.05)
    assert result.flags == []


def test_csat_score_outside_1_to_5_is_refused(tmp_path: Path) -> None:
    review = ok("new", "close", "--title", "Acme close")
    code, _, err = gb("set", review, "csat_score=6")
    assert code == 2 and "csat_score" in err
    ok("set", review, "csat_score=5")


def test_a_close_met_on_time_and_on_budget_signs_approved(tmp_path: Path) -> None:
    review = ok("new", "close", "--title", "Acme close",
                "--answers", answers_file(tmp_path, "close", CLOSE_DONE))  # fmt: skip
    for role in ("engagement_manager", "customer_sponsor"):
        ok("signoff", review, "--role", role, "--name", "Ana", "--decision", "approved",
           "--no-sign")  # fmt: skip
    assert show(review)["status"] == "signed"


# ---- deliverables copied forward ------------------------------------------------------


def test_deliverables_are_copied_forward_and_never_updated_afterwards(tmp_path: Path) -> None:
    engagement = ok("engagement", "new", "Acme data", "--customer", "Acme", "--start", "2026-01-05")
    kickoff = ok("new", "kickoff", "--title", "Acme kickoff", "--engagement", engagement)
    rows = [
        {"deliverable": "Landing zone", "owner": "Ana", "due": "2026-03-01",
         "acceptance": "CIO signs the design"},
        {"deliverable": "Data migration", "owner": "Bo", "due": "2026-09-01",
         "acceptance": "Finance closes April"},
    ]  # fmt: skip
    ok("set", kickoff, f"deliverables={json.dumps(rows)}")
    dqi = ok("new", "dqi", "--title", "Acme DQI 1", "--engagement", engagement)
    assert show(dqi)["answers"]["deliverables"] == rows
    ok("set", kickoff, f"deliverables={json.dumps(rows[:1])}")  # the kickoff changes later
    assert show(dqi)["answers"]["deliverables"] == rows  # ...the DQI's copy does not
    statused = [{**rows[0], "status": "accepted"}, {**rows[1], "status": "in_progress"}]
    ok("set", dqi, f"deliverables={json.dumps(statused)}", "inspection_date=2026-06-01")
    assert "deliverable_late" not in {f["id"] for f in show(dqi)["evaluation"]["flags"]}
    second = ok("new", "dqi", "--title", "Acme DQI 2", "--engagement", engagement)
    assert show(second)["answers"]["deliverables"] == statused  # the latest earlier member's
    close = ok("new", "close", "--title", "Acme close", "--engagement", engagement)
    assert show(close)["answers"]["deliverables"] == [
        {"deliverable": r["deliverable"], "owner": r["owner"], "due": r["due"]} for r in rows
    ]  # mapped by column id: the close has no acceptance or status column
    ok("set", second, "deliverables=[]")
    assert len(show(close)["answers"]["deliverables"]) == 2
    why = {f["id"]: f["why"] for f in show(close)["evaluation"]["flags"]}["unaccepted_deliverable"]
    assert "Landing zone, Data migration" in why


# ---- the row helpers ------------------------------------------------------------------


def test_row_helpers_pick_and_name_rows() -> None:
    import datetime as dt
    from decimal import Decimal

    table = [
        {"name": "a", "due": "2026-01-01", "status": "done", "n": "3"},
        {"name": "", "due": "2026-03-01", "n": 5},
        {"name": "c", "due": "not a date", "status": "open", "done": False},
    ]
    before = rows_where(table, "due", "<", dt.date(2026, 2, 1))
    assert row_names(before, "name") == ["a"]
    assert row_names(rows_where(table, "status", "not in", ["done"]), "name") == [
        "(unnamed)",
        "c",
    ]
    assert row_names(rows_where(table, "status", "==", "DONE"), "name") == ["a"]
    assert len(rows_where(table, "n", ">=", Decimal(4))) == 1
    assert row_names(rows_lacking(table, "status", "done"), "name") == ["a", "(unnamed)", "c"]
    with pytest.raises(ValueError):
        rows_where(table, "due", "~", 1)


async def test_the_sign_off_dialog_shows_the_gate_short_of_approve_at(tmp_path: Path) -> None:
    from .test_tui_signoff import open_dialog, text
    from .tui_support import deterministic_app

    home = tmp_path / "ws"
    home.mkdir()
    app = deterministic_app(home, offer_demo=False)
    questionnaire = app.catalog.resolve("s2d")
    read = read_answers(questionnaire, s2d_answers(3))
    review = app.store.create(questionnaire, "Acme S2D", answers=read.answers).id
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot, app, review)
        checks = text(dialog, "#signoff-checks")
        assert (
            "approved: s2d_success_criteria 3 of 5 met, 4 needed — needs an override reason"
            in checks
        )
        assert "approved-with-conditions: s2d_success_criteria 3 of 5 met, 4 needed" in checks


def test_the_ids_other_views_read_are_exact() -> None:
    """`kpis` (engagement show, report) reads these ids: their names and types are fixed."""
    expected = {
        ("dqi", "security_incidents"): "number",
        ("dqi", "security_posture"): "rating",
        ("close", "csat_score"): "number",
        ("close", "delivered_on_time"): "boolean",
        ("close", "delivered_on_budget"): "boolean",
        ("close", "security_posture_validated"): "boolean",
        ("kickoff", "security_controls_in_place"): "boolean",
    }
    for (qid, question_id), kind in expected.items():
        question = builtin(qid).question(question_id)
        assert question is not None and question.type == kind, (qid, question_id)
    csat = builtin("close").question("csat_score")
    assert csat is not None and (csat.min, csat.max, csat.required) == (1, 5, False)
