"""The CLI meets the user halfway: closest-match hints, usage errors, positions."""

from __future__ import annotations

from pathlib import Path

from .cli_support import run_gatebook
from .conftest import write


def new_review() -> str:
    done = run_gatebook("new", "oqr", "--title", "Acme")
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_unknown_ids_get_the_closest_match() -> None:
    review_id = new_review()
    cases = [
        (("set", review_id, "tcv_ud=5M"), 2, "Did you mean 'tcv_usd'?"),
        (("set", review_id, "--note", "custmer=x"), 2, "Did you mean 'customer'?"),
        (("set", review_id, "--mitigation", "large_deal=x"), 2, "'large_deal_size'"),
        (
            ("signoff", review_id, "--role", "reviewr", "--name", "A", "--decision", "rejected"),
            2,
            "Did you mean 'reviewer'?",
        ),
        (("show", review_id + "x"), 1, f"Did you mean {review_id!r}?"),
    ]
    for args, code, hint in cases:
        done = run_gatebook(*args)
        assert done.returncode == code, (args, done.stderr)
        assert hint in done.stderr, (args, done.stderr)


def test_values_out_of_range_are_usage_errors() -> None:
    review_id = new_review()
    for assignment in ("total_hours=-5", "risk_premium_pct=150", "tcv_usd=-1"):
        done = run_gatebook("set", review_id, assignment)
        assert done.returncode == 2, assignment
        assert "minimum" in done.stderr or "maximum" in done.stderr


def test_gates_list_their_unmet_items(tmp_path: Path) -> None:
    answers = write(
        tmp_path / "a.yaml",
        "gate_pre_implementation: [high_risks_addressed, cbos_validated, architecture_approved]\n"
        "risk_identification: Workshop with the customer\n"
        "cbo_success_criteria: Release lead time from 10 days to 1 by Q3\n",
    )
    import json

    done = run_gatebook("eval", "oqr", "--answers", str(answers), "--format", "json")
    gate = json.loads(done.stdout)["gates"]["pre_implementation"]
    assert gate["met"] == 2 and gate["total"] == 5  # architecture ticked, not documented
    assert gate["unmet"] == [
        "gate_pre_implementation.architecture_approved",
        "gate_pre_implementation.security_controls_validated",
        "gate_pre_implementation.resources_committed",
    ]


def test_answers_file_errors_point_at_the_value(tmp_path: Path) -> None:
    bad_value = write(tmp_path / "a.yaml", "customer: Acme\ntcv_usd: lots\n")
    done = run_gatebook("eval", "oqr", "--answers", str(bad_value))
    assert done.returncode == 2
    assert done.stderr.startswith(f"{bad_value}:2:10: Total contract value (USD) [tcv_usd]:")
    bad_key = write(tmp_path / "b.yaml", "customer: Acme\n\ntcv_ud: 5M\n")
    done = run_gatebook("new", "oqr", "--title", "x", "--answers", str(bad_key))
    assert done.returncode == 2
    assert done.stderr.startswith(f"{bad_key}:3:1: tcv_ud: unknown question id")
    assert "Did you mean 'tcv_usd'?" in done.stderr


def test_cross_question_checks_are_warnings_not_refusals(tmp_path: Path) -> None:
    import json

    answers = write(
        tmp_path / "a.yaml",
        "total_hours: 100\nsecurity_hours: 120\npartner_hours: 50\n"
        "contract_type: ffp\nffp_value_usd: 2M\ntcv_usd: 1M\n",
    )
    done = run_gatebook("eval", "oqr", "--answers", str(answers), "--format", "json")
    assert done.returncode == 0
    warnings = json.loads(done.stdout)["warnings"]
    assert [(w["id"], w["questions"]) for w in warnings] == [
        ("security_within_total", ["security_hours", "total_hours"]),
        ("ffp_within_tcv", ["ffp_value_usd", "tcv_usd"]),
    ]
    assert "Security hours (120) exceed the total effort (100 hours)" in warnings[0]["message"]
    text = run_gatebook("eval", "oqr", "--answers", str(answers))
    assert "Warning: The fixed-price value ($2,000,000) exceeds" in text.stdout
    review_id = new_review()
    assert run_gatebook("set", review_id, "total_hours=100", "partner_hours=150").returncode == 0
    shown = json.loads(run_gatebook("show", review_id, "--format", "json").stdout)
    assert [w["id"] for w in shown["warnings"]] == ["partner_within_total"]
    fixed = write(tmp_path / "b.yaml", "total_hours: 100\nsecurity_hours: 100\n")
    done = run_gatebook("eval", "oqr", "--answers", str(fixed), "--format", "json")
    assert json.loads(done.stdout)["warnings"] == []
