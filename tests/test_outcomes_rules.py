"""Issue 33, outcomes rules: the `outcomes: true` key, the condition helpers over the
registers (unknown without a review), the outcome flags, `cbos_validated`, the
plan's outcomes table, and the store functions that add and edit outcomes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gatebook.engine.expressions import UNKNOWN, ConditionEvaluator
from gatebook.engine.registers import register_helpers
from gatebook.plan.render import render_plan
from gatebook.questionnaire import load_questionnaire
from gatebook.questionnaire.expressions import (
    OUTCOME_STATUS_VALUES,
    ExpressionProblem,
    parse_expression,
)
from gatebook.questionnaire.problems import SourceError
from gatebook.store import ReviewStore
from gatebook.store.canonical import questionnaire_digest, questionnaire_snapshot, sha256_of
from gatebook.store.model import OUTCOME_STATUSES, ChangeKind, Review
from gatebook.store.outcomes import add_outcome, edit_outcome, new_outcome, outcome_changes
from gatebook.store.records import RecordProblem

from .cli_support import gb, ok
from .conftest import ROOT, write
from .fixed import fixed_store

QUESTIONNAIRES = ROOT / "questionnaires"
SMALL = """\
id: small
title: Small
version: "1"
sections:
  - id: s
    title: S
    questions:
      - {id: when, type: date, prompt: When}
risks:
  - id: none_yet
    title: No outcome
    severity: medium
    when: outcomes() == 0
    why: none
"""


def builtin(name: str) -> Any:
    return load_questionnaire(QUESTIONNAIRES / f"{name}.yaml")


# --- the questionnaire key -------------------------------------------------------


def test_outcomes_key_is_left_out_of_the_snapshot_unless_true(tmp_path: Path) -> None:
    plain = load_questionnaire(write(tmp_path / "small.yaml", SMALL))
    assert plain.outcomes is False
    assert "outcomes" not in questionnaire_snapshot(plain)
    data = questionnaire_snapshot(plain)
    assert questionnaire_digest(plain) == sha256_of(data)
    keeping = load_questionnaire(write(tmp_path / "k.yaml", SMALL + "outcomes: true\n"))
    assert questionnaire_snapshot(keeping)["outcomes"] is True
    assert questionnaire_digest(keeping) != questionnaire_digest(plain)


@pytest.mark.parametrize("name", ["pesa", "okr-intake", "okr-review"])
def test_builtins_without_outcomes_carry_no_outcomes_key(name: str) -> None:
    assert "outcomes" not in questionnaire_snapshot(builtin(name))


@pytest.mark.parametrize("name", ["oqr", "s2d", "kickoff", "dqi", "close"])
def test_the_delivery_builtins_keep_outcomes(name: str) -> None:
    assert builtin(name).outcomes is True


def test_the_statuses_the_loader_accepts_are_the_stores() -> None:
    assert OUTCOME_STATUS_VALUES == OUTCOME_STATUSES


# --- helpers -----------------------------------------------------------------------

ROWS = {
    "outcome_a": {"title": "Close in 3 days", "metric": "days", "target": "3", "status": "at_risk"},
    "outcome_b": {"title": "Fewer P1s", "metric": "", "target": "", "status": "off_track"},
    "outcome_c": {"title": "Run cost", "metric": "USD", "target": "", "status": "achieved"},
}
REGISTER = {
    "risk_a": {"title": "Old", "due": "2026-01-01", "status": "open", "origin": "oqr-1/risk_x"},
    "risk_b": {"title": "Done", "due": "2026-01-01", "status": "mitigated", "origin": "oqr-1/y"},
    "risk_c": {"title": "Own", "due": "2026-01-01", "status": "open"},
    "risk_d": {"title": "Later", "due": "2026-12-01", "status": "mitigating", "origin": "o-1/z"},
    "risk_e": {"title": "Slow", "due": "2026-02-01", "status": "mitigating", "origin": "o-1/w"},
}


def value(source: str, outcomes: Any, register: Any, names: dict[str, Any] | None = None) -> Any:
    node = parse_expression(source, set(names or {}) | {"inspection_date"})
    helpers = register_helpers(outcomes, register)
    return ConditionEvaluator(names or {}, extra=helpers).evaluate(node)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("outcomes()", 3),
        ('outcomes_where("at_risk")', 1),
        ('outcomes_where("at_risk", "off_track")', 2),
        ('outcomes_missing("metric", "target")', 2),
        ('outcomes_with("metric")', 2),
        ('outcome_titles("at_risk", "off_track")', "Close in 3 days; Fewer P1s"),
        ('outcome_titles_missing("target")', "Fewer P1s; Run cost"),
        ('carried_overdue("2026-03-01")', 2),
        ('carried_overdue_titles("2026-03-01")', "Old; Slow"),
        ('carried_overdue("2026-01-01")', 0),
    ],
)
def test_helpers_count_the_rows(source: str, expected: Any) -> None:
    assert value(source, ROWS, REGISTER) == expected


def test_carried_overdue_reads_a_date_question() -> None:
    import datetime as dt

    names = {"inspection_date": dt.date(2026, 3, 1)}
    assert value("carried_overdue(inspection_date)", ROWS, REGISTER, names) == 2
    assert value("carried_overdue(inspection_date)", ROWS, REGISTER, {}) is UNKNOWN


@pytest.mark.parametrize(
    "source",
    ["outcomes()", 'outcomes_where("at_risk")', 'carried_overdue("2026-03-01")', "outcomes() == 0"],
)
def test_helpers_are_unknown_without_a_review(source: str) -> None:
    assert value(source, None, None) is UNKNOWN


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('outcomes_where("at_rsk")', "Did you mean 'at_risk'?"),
        ("outcomes_where(at_risk)", "is not an outcome status"),
        ('outcomes_missing("metrc")', "Did you mean 'metric'?"),
        ("outcomes_where()", "needs at least one status"),
        ("carried_overdue()", 'takes one date: a question id or "YYYY-MM-DD"'),
        ('outcomes("x")', "outcomes() takes no arguments"),
    ],
)
def test_mistakes_in_helpers_are_refused_at_load(source: str, message: str) -> None:
    with pytest.raises(ExpressionProblem) as caught:
        parse_expression(source, {"at_risk"})
    assert message in str(caught.value)


def test_a_bad_status_in_a_yaml_rule_names_file_and_line(tmp_path: Path) -> None:
    text = SMALL.replace("outcomes() == 0", 'outcomes_where("acheived") > 0')
    with pytest.raises(SourceError) as caught:
        load_questionnaire(write(tmp_path / "bad.yaml", text))
    assert "bad.yaml:13:26:" in str(caught.value) and "'achieved'" in str(caught.value)


def test_eval_answers_never_raises_nor_leaves_undecided_a_register_flag(tmp_path: Path) -> None:
    answers = write(tmp_path / "a.yaml", "tcv_usd: 6M\n")
    code, out, err = gb("eval", "oqr", "--answers", str(answers), "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert [f["id"] for f in data["flags"]] == ["large_deal_size"]
    assert "no_outcomes" not in data["undecided"]["flags"]
    assert data["escalate"] is False


def test_an_example_holds_outcome_rows_and_a_bad_row_is_located(tmp_path: Path) -> None:
    from gatebook.examples import run_examples

    good = SMALL + "examples:\n  - {name: empty, outcomes: [], flags: [none_yet]}\n"
    assert run_examples(load_questionnaire(write(tmp_path / "g.yaml", good))) == []
    bad = SMALL + "examples:\n  - {name: b, outcomes: [{title: T, status: done}], flags: []}\n"
    problems = run_examples(load_questionnaire(write(tmp_path / "b.yaml", bad)))
    assert len(problems) == 1 and "outcomes row 1: status" in problems[0].message


# --- flags over a stored review ----------------------------------------------------


def new_review(store: ReviewStore, name: str) -> Review:
    from gatebook.workspace import make_catalog

    return store.create(make_catalog(store.home).resolve(name), f"{name} review")


def with_outcomes(store: ReviewStore, review: Review, *rows: dict[str, str]) -> Review:

    def add(found: Review) -> None:
        for row in rows:
            fields = dict(row)
            add_outcome(found, fields.pop("title"), **fields)

    return store.modify(review.id, add)


def flags_of(store: ReviewStore, review: Review) -> dict[str, Any]:
    return {f.id: f for f in store.evaluate(store.get(review.id)).flags}


def test_no_outcomes_is_medium_and_goes_once_an_outcome_is_recorded(isolated_home: Path) -> None:
    store = fixed_store(isolated_home)
    for name in ("oqr", "s2d"):
        review = new_review(store, name)
        raised = flags_of(store, review)
        assert raised["no_outcomes"].severity == "medium"
        assert "no_measurable_outcome" not in raised
        with_outcomes(store, review, {"title": "Close in 3 days"})
        assert "no_outcomes" not in flags_of(store, review)


def test_one_seed_pattern_and_no_outcomes_do_not_escalate(isolated_home: Path) -> None:
    store = fixed_store(isolated_home)
    review = new_review(store, "oqr")
    ok("set", review.id, "tcv_usd=6M")
    result = store.evaluate(store.get(review.id))
    assert {f.id for f in result.flags} == {"large_deal_size", "no_outcomes"}
    assert result.escalate is False


def test_kickoff_names_the_unmeasurable_outcome(isolated_home: Path) -> None:
    store = fixed_store(isolated_home)
    review = new_review(store, "kickoff")
    with_outcomes(store, review, {"title": "Fast close", "metric": "days", "target": "3"})
    assert "outcome_unmeasurable" not in flags_of(store, review)
    with_outcomes(store, review, {"title": "Fewer | P1s", "metric": "P1s a month"})
    flag = flags_of(store, review)["outcome_unmeasurable"]
    assert flag.severity == "high" and flag.why.endswith("Fewer | P1s.")


def test_dqi_and_close_flags_name_their_outcomes(isolated_home: Path) -> None:
    store = fixed_store(isolated_home)
    dqi = new_review(store, "dqi")
    with_outcomes(
        store,
        dqi,
        {"title": "A", "status": "at_risk"},
        {"title": "B", "status": "off_track"},
        {"title": "C", "status": "off_track"},
    )
    raised = flags_of(store, dqi)
    assert (raised["outcome_at_risk"].severity, raised["outcome_off_track"].severity) == (
        "medium",
        "high",
    )
    assert "A" in raised["outcome_at_risk"].why and "B; C" in raised["outcome_off_track"].why
    close = new_review(store, "close")
    with_outcomes(
        store,
        close,
        {"title": "Planned one", "status": "planned"},
        {"title": "Half", "status": "partly_achieved"},
        {"title": "Missed", "status": "not_achieved"},
        {"title": "Done", "status": "achieved"},
    )
    raised = flags_of(store, close)
    assert raised["outcome_not_assessed"].severity == "high"
    assert "Planned one" in raised["outcome_not_assessed"].why
    assert "Done" not in raised["outcome_not_assessed"].why
    assert raised["outcome_partly_achieved"].severity == "medium"
    assert raised["outcome_not_achieved"].why.endswith("Missed.")


def test_close_no_longer_asks_outcomes_achieved() -> None:
    close = builtin("close")
    assert close.question("outcomes_achieved") is None
    assert "outcomes_achieved" not in json.dumps(questionnaire_snapshot(close))


def test_cbos_validated_is_met_by_an_outcome_with_a_metric(isolated_home: Path) -> None:
    store = fixed_store(isolated_home)
    review = new_review(store, "oqr")
    ok("set", review.id, "gate_pre_implementation=cbos_validated")

    def met() -> bool | None:
        gate = store.evaluate(store.get(review.id)).gates["pre_implementation"]
        return dict(gate.items)["gate_pre_implementation.cbos_validated"]

    assert met() is False
    with_outcomes(store, review, {"title": "No metric yet"})
    assert met() is False
    with_outcomes(store, review, {"title": "Measured", "metric": "days to close"})
    assert met() is True
    other = new_review(store, "oqr")
    ok("set", other.id, "gate_pre_implementation=cbos_validated", "cbo_success_criteria=Q3")
    gate = store.evaluate(store.get(other.id)).gates["pre_implementation"]
    assert dict(gate.items)["gate_pre_implementation.cbos_validated"] is True


# --- store functions ------------------------------------------------------------------


def test_add_and_edit_outcome_validate_and_keep_history(isolated_home: Path) -> None:
    store = fixed_store(isolated_home)
    review = new_review(store, "dqi")
    found = store.get(review.id)
    outcome_id = add_outcome(found, " Close fast ", cbo="efficiency", by="2027-03-31")
    assert len(outcome_id) == len("outcome_") + 6 and outcome_id.startswith("outcome_")
    assert found.outcomes[outcome_id].title == "Close fast"
    edit_outcome(found, outcome_id, status="on_track", evidence="April: 4 days", cbo="")
    row = found.outcomes[outcome_id]
    assert (row.status, row.evidence, row.cbo, row.by) == (
        "on_track",
        "April: 4 days",
        None,
        "2027-03-31",
    )
    assert [e.kind for e in found.history] == [ChangeKind.OUTCOME, ChangeKind.OUTCOME]
    assert found.history[-1].old["status"] == "planned"
    for call, message in [
        (lambda: edit_outcome(found, outcome_id, status="done"), "--status must be one of"),
        (lambda: edit_outcome(found, outcome_id, cbo="revenu"), "Did you mean 'revenue'?"),
        (lambda: edit_outcome(found, outcome_id, by="next week"), "--by"),
        (lambda: edit_outcome(found, outcome_id, title=" "), "needs the outcome's title"),
        (lambda: edit_outcome(found, outcome_id + "x"), f"Did you mean {outcome_id!r}?"),
        (lambda: add_outcome(found, ""), "needs the outcome's title"),
    ]:
        with pytest.raises(RecordProblem) as caught:
            call()
        assert message in str(caught.value)
    assert found.outcomes[outcome_id] == row  # nothing changed by a refused edit


def test_an_outcome_change_goes_through_update_and_undo(isolated_home: Path) -> None:
    store = fixed_store(isolated_home)
    review = new_review(store, "oqr")
    outcome_id, changes = new_outcome(review, "Close fast", metric="days")
    store.update(review.id, changes)
    store.update(review.id, outcome_changes(store.get(review.id), outcome_id, target="3"))
    assert store.get(review.id).outcomes[outcome_id].target == "3"
    store.undo(review.id)
    assert store.get(review.id).outcomes[outcome_id].target == ""
    store.undo(review.id)
    assert store.get(review.id).outcomes == {}


# --- the plan ------------------------------------------------------------------------


def test_the_oqr_plan_shows_the_outcomes_table_and_verifies(
    isolated_home: Path, tmp_path: Path
) -> None:
    store = fixed_store(isolated_home)
    review = new_review(store, "oqr")
    with_outcomes(
        store,
        review,
        {
            "title": "Later | one",
            "cbo": "revenue",
            "metric": "ARR",
            "target": "+10%",
            "by": "2027-09-30",
            "baseline": "4M",
        },
        {"title": "Sooner", "metric": "days", "by": "2027-03-31"},
    )
    plan = tmp_path / "oqr.md"
    ok("export", review.id, "-o", str(plan))
    text = plan.read_text(encoding="utf-8")
    chapter = text[text.index("## Customer Business Outcomes") :]
    chapter = chapter[: chapter.index("\n## ", 3)]
    assert "| Title | CBO | Metric | Baseline | Target | By | Status | Evidence |" in chapter
    assert chapter.index("Sooner") < chapter.index("Later \\| one")
    assert "| Increased revenue | ARR | 4M | \\+10% | 2027-09-30 | planned | — |" in chapter
    assert "From" not in chapter
    code, out, err = gb("verify", str(plan))
    assert code == 0 and "OK" in out, out + err
    tampered = text.replace("| ARR |", "| ARR! |")
    plan.write_text(tampered, encoding="utf-8")
    code, out, _ = gb("verify", str(plan))
    assert code == 1


def test_a_carried_outcome_shows_where_it_came_from(isolated_home: Path) -> None:
    store = fixed_store(isolated_home)
    review = new_review(store, "kickoff")

    def carried(found: Review) -> None:
        from gatebook.store.model import OutcomeRow

        found.outcomes["outcome_abc123"] = OutcomeRow(
            title="Close fast", metric="days", target="3", origin="s2d-000009/outcome_zzz999"
        )

    store.modify(review.id, carried)
    found = store.get(review.id)
    text = render_plan(found, store.questionnaire_for(found))
    chapter = text[text.index("## Outcomes") : text.index("## Risks")]
    assert "| Status | Evidence | From |" in chapter
    assert "| `s2d-000009/outcome_zzz999` |" in chapter


def test_a_questionnaire_without_outcomes_renders_no_table(isolated_home: Path) -> None:
    store = fixed_store(isolated_home)
    review = new_review(store, "pesa")
    before = render_plan(store.get(review.id), store.questionnaire_for(review))

    def hand_edit(found: Review) -> None:
        from gatebook.store.model import OutcomeRow

        found.outcomes["outcome_abc123"] = OutcomeRow(title="Stray")

    store.modify(review.id, hand_edit)
    after = store.get(review.id)
    text = render_plan(after, store.questionnaire_for(after))
    assert "Stray" not in text.split("```json")[0]
    assert "## Outcomes" not in text and "## Outcomes" not in before


def test_the_combined_plan_carries_the_outcomes_and_verifies(
    isolated_home: Path, tmp_path: Path
) -> None:
    engagement = ok("engagement", "new", "Acme platform", "--customer", "Acme")
    oqr = ok("new", "oqr", "--title", "Acme OQR", "--engagement", engagement)
    store = fixed_store(isolated_home)
    with_outcomes(store, store.get(oqr), {"title": "Close fast", "metric": "days"})
    plan = tmp_path / "eng.md"
    ok("engagement", "plan", engagement, "-o", str(plan))
    text = plan.read_text(encoding="utf-8")
    assert "| Close fast (`outcome_" in text
    code, out, err = gb("verify", str(plan))
    assert code == 0, out + err
    plan.write_text(text.replace("| Close fast (", "| Close slow ("), encoding="utf-8")
    code, out, err = gb("verify", str(plan))
    assert code == 1, out + err


def test_a_new_member_takes_the_earlier_no_outcomes_row_as_its_own_flags(
    isolated_home: Path,
) -> None:
    engagement = ok("engagement", "new", "Acme platform", "--customer", "Acme")
    oqr = ok("new", "oqr", "--title", "Acme OQR", "--engagement", engagement)
    code, out, err = gb("new", "s2d", "--title", "Acme S2D", "--engagement", engagement)
    assert code == 0, err
    s2d = out.strip()
    store = fixed_store(isolated_home)
    register = store.evaluate(store.get(s2d)).register
    rows = [row for row in register if row.title == "No customer business outcome recorded"]
    assert [(row.id, row.origin) for row in rows] == [("no_outcomes", f"{oqr}/no_outcomes")]
