"""The interview assistant: undecided items, `gatebook next`, probes, guided mode."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gatebook.engine import evaluate
from gatebook.engine.answers import read_answers
from gatebook.engine.interview import next_questions
from gatebook.questionnaire.loader import load_questionnaire
from gatebook.questionnaire.models import Question, Questionnaire
from gatebook.tui.widgets.panel_text import PanelText
from gatebook.workspace import make_catalog

from .cli_support import run_gatebook

RANKING = """\
id: ranking
title: Ranking
version: "1"
sections:
  - id: first
    title: First
    questions:
      - {id: optional_low, type: number, prompt: Decides a low flag}
      - {id: nothing, type: text, prompt: Decides nothing}
      - {id: required_nothing, type: text, prompt: "Required, decides nothing", required: true}
      - {id: two_medium, type: number, prompt: Decides two medium flags}
      - {id: one_high, type: number, prompt: Decides one high flag}
      - {id: gate_only, type: boolean, prompt: A gate item}
  - id: second
    title: Second
    questions:
      - {id: partner_count, type: integer, prompt: Partners, min: 0}
      - {id: partners_clear, type: boolean, prompt: Clear?, show_if: partner_count > 0}
      - {id: later_high, type: number, prompt: Also one high flag, required: true}
risks:
  - {id: low_one, title: Low, severity: low, when: optional_low > 1}
  - {id: med_a, title: Medium A, severity: medium, when: two_medium > 1}
  - {id: med_b, title: Medium B, severity: medium, when: two_medium > 2}
  - {id: high_one, title: High, severity: high, when: one_high > 1, probes: [Why so high?]}
  - {id: high_two, title: High two, severity: high, when: later_high > 1}
  - id: unclear
    title: Partners unclear
    severity: high
    when: partner_count > 0 and not partners_clear
    probes: [Who delivers what?, Who accepts it?]
escalation:
  - {id: many, when: 'count_flags(severity="high") >= 2', reason: Two high flags}
gates:
  - {id: ready, title: Ready, items: [gate_only]}
"""


def ranking(tmp_path: Path, extra: str = "") -> Questionnaire:
    path = tmp_path / "ranking.yaml"
    path.write_text(RANKING + extra)
    return load_questionnaire(path)


def order(
    q: Questionnaire, answers: dict[str, Any] | None = None, na: dict[str, str] | None = None
) -> list[str]:
    read = read_answers(q, answers or {})
    result = evaluate(q, read.answers, na or {})
    ranked = next_questions(q, result, read.answers, na or {}, limit=None)
    return [item.question for item in ranked]


def test_each_order_rule(tmp_path: Path) -> None:
    q = ranking(tmp_path)
    assert order(q) == [
        "later_high",  # one high flag + the rule counting them; required first among equals
        "one_high",  # then questionnaire order among equals
        "partner_count",
        "two_medium",  # then most items of any kind
        "optional_low",
        "gate_only",
        "required_nothing",  # decides nothing: required first
        "nothing",
    ]


def test_a_show_if_chain_is_asked_from_its_root(tmp_path: Path) -> None:
    q = ranking(tmp_path)
    assert "partners_clear" not in order(q)  # its show_if is unknown: not asked yet
    read = read_answers(q, {"partner_count": 2})
    result = evaluate(q, read.answers)
    ranked = next_questions(q, result, read.answers, {}, limit=None)
    shown = next(item for item in ranked if item.question == "partners_clear")
    assert shown.decides.flags == ["unclear"] and shown.probes == [
        "Who delivers what?",
        "Who accepts it?",
    ]
    assert "partners_clear" not in order(q, {"partner_count": 0})  # not shown at all


def test_answered_and_not_applicable_are_not_asked_and_decide_nothing(tmp_path: Path) -> None:
    q = ranking(tmp_path)
    ranked = order(q, {"one_high": 5}, {"later_high": "n/a"})
    assert "one_high" not in ranked and "later_high" not in ranked
    read = read_answers(q, {"one_high": 5})
    result = evaluate(q, read.answers, {"later_high": "n/a"})
    assert "high_one" not in result.undecided.flags


def test_rules_that_count_flags_are_unknown_while_flags_could_change_the_count(
    tmp_path: Path,
) -> None:
    q = ranking(tmp_path)
    read = read_answers(q, {"one_high": 5})
    result = evaluate(q, read.answers)
    assert result.undecided.escalation == ["many"]  # one raised, two more could be
    read = read_answers(q, {"one_high": 5, "later_high": 5})
    result = evaluate(q, read.answers)
    assert result.escalate and result.undecided.escalation == []
    read = read_answers(q, {"one_high": 0, "later_high": 0, "partner_count": 0, "two_medium": 9})
    result = evaluate(q, read.answers)
    assert not result.escalate and result.undecided.escalation == []


def test_a_flag_raised_low_while_its_high_level_is_unknown_is_raised_and_undecided(
    tmp_path: Path,
) -> None:
    extra = """\
  - id: tiered
    title: Tiered
    levels:
      - {when: optional_low > 100, severity: high}
      - {when: two_medium > 1, severity: medium}
"""
    q = ranking(tmp_path, "")
    path = tmp_path / "tiered.yaml"
    path.write_text(RANKING.replace("escalation:", extra + "escalation:"))
    q = load_questionnaire(path)
    read = read_answers(q, {"two_medium": 5})
    result = evaluate(q, read.answers)
    assert "tiered" in {f.id for f in result.flags}
    assert "tiered" in result.undecided.flags
    ranked = next_questions(q, result, read.answers, {}, limit=None)
    top = next(item for item in ranked if item.question == "optional_low")
    assert "tiered" in top.decides.flags


def test_lens_rules_are_undecided_until_their_question_is_answered() -> None:
    files = sorted((Path(__file__).parent / "data" / "lenses").glob("*.json"))
    q = load_questionnaire(files[0])
    result = evaluate(q, {})
    flagged = [r.id for r in q.risks if any(lv.severity != "none" for lv in r.ordered_levels())]
    assert set(result.undecided.flags) == set(flagged) and not result.flags
    first = flagged[0]
    question = q.question(first)
    assert question is not None
    answered = evaluate(q, {first: [question.options[0].value]})
    assert first not in answered.undecided.flags


@pytest.mark.parametrize("name", ["oqr", "pesa", "s2d", "okr-intake"])
def test_every_built_in_questionnaire_ranks_from_empty_answers(
    isolated_home: Path, name: str
) -> None:
    q = make_catalog(isolated_home).resolve(name)
    result = evaluate(q, {})
    ranked = next_questions(q, result, {}, {}, limit=None)
    assert ranked and ranked == next_questions(q, result, {}, {}, limit=None)
    assert len({item.question for item in ranked}) == len(ranked)
    decided = [item for item in ranked if item.decides.count]
    assert ranked[: len(decided)] == decided  # deciders first
    flags_with_questions = set(result.undecided.flags)
    assert flags_with_questions <= {f for item in ranked for f in item.decides.flags}


def test_next_command_json_shape_limit_and_probes(isolated_home: Path) -> None:
    made = run_gatebook("new", "oqr", "--title", "x")
    review_id = made.stdout.strip()
    run_gatebook("set", review_id, "tcv_usd=6M")
    done = run_gatebook("next", review_id, "--limit", "3", "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert list(data) == ["review", "undecided", "next"]
    assert data["review"] == review_id
    assert list(data["undecided"]) == ["flags", "escalation", "gates"]
    assert "large_deal_size" not in data["undecided"]["flags"]
    assert len(data["next"]) == 3
    for item in data["next"]:
        assert list(item) == ["question", "prompt", "section", "decides", "probes"]
        assert list(item["decides"]) == ["flags", "escalation", "gates"]
    top = data["next"][0]
    assert top["question"] == "total_hours" and top["section"] == "opportunity"
    assert "Who is the named security lead, and how many hours do they have?" in top["probes"]
    shown = json.loads(run_gatebook("show", review_id, "--format", "json").stdout)
    assert shown["undecided"] == data["undecided"]
    evaluated = json.loads(
        run_gatebook("eval", "oqr", "--answers", str(write_answers(isolated_home)), "--format",
                     "json").stdout
    )  # fmt: skip
    assert evaluated["undecided"]["flags"] == data["undecided"]["flags"]
    assert run_gatebook("next", review_id, "--limit", "0").returncode == 2
    text = run_gatebook("next", review_id).stdout
    assert text.startswith("Undecided:") and "ask: " in text


def write_answers(home: Path) -> Path:
    path = home / "answers.yaml"
    path.write_text("tcv_usd: 6M\n")
    return path


def test_the_plan_lists_probes_of_raised_flags(isolated_home: Path) -> None:
    review_id = run_gatebook("new", "oqr", "--title", "x").stdout.strip()
    run_gatebook("set", review_id, "tcv_usd=6M")
    plan = run_gatebook("export", review_id).stdout
    assert "*Ask:* Can the delivery be phased, with each phase accepted separately?" in plan


def test_probes_are_in_the_schema_and_every_oqr_and_pesa_flag_has_some(
    isolated_home: Path,
) -> None:
    schema = json.loads(run_gatebook("schema").stdout)
    assert "probes" in json.dumps(schema)
    catalog = make_catalog(isolated_home)
    for name in ("oqr", "pesa"):
        assert all(rule.probes for rule in catalog.resolve(name).risks), name


def steps_until_high_flags_decided(q: Questionnaire, guided: bool) -> int:
    """Answer OQR from empty, each time with the clean example's value (or a neutral
    one), picking the next question by `next` (guided) or in questionnaire order."""
    example = next(e for e in q.examples if not e.flags)
    source = read_answers(q, example.answers).answers
    answers: dict[str, Any] = {}
    high = {r.id for r in q.risks if r.severity == "high"}
    for step in range(1, 200):
        result = evaluate(q, answers)
        if guided:
            ranked = next_questions(q, result, answers, {}, limit=1)
        else:
            ranked = next_questions(q, result, answers, {}, limit=None)
            ranked.sort(key=lambda item: [x.id for x in q.questions()].index(item.question))
        if not ranked:
            break
        qid = ranked[0].question
        question = q.question(qid)
        assert question is not None
        answers[qid] = source.get(qid, neutral(question))
        if not high & set(evaluate(q, answers).undecided.flags):
            return step
    raise AssertionError("high flags never decided")


def neutral(question: Question) -> Any:
    kind = question.type
    if kind == "choice":
        return question.options[0].value
    fixed = {"boolean": False, "multichoice": [], "rating": 2, "date": "2026-12-01"}
    fixed |= {"checklist": {}, "table": []}
    return fixed.get(kind, 0 if kind in ("number", "integer", "money", "percent") else "x")


def test_guided_mode_decides_every_high_flag_sooner_than_section_order(
    isolated_home: Path,
) -> None:
    q = make_catalog(isolated_home).resolve("oqr")
    guided, in_order = (steps_until_high_flags_decided(q, g) for g in (True, False))
    print(f"OQR from empty answers: guided {guided} questions, section order {in_order}")
    assert guided < in_order


async def test_guided_mode_moves_on_to_what_to_ask_next(tmp_path: Path) -> None:

    from gatebook.tui.screens.review import ReviewScreen

    from .tui_support import deterministic_app

    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    review = app.store.create(app.catalog.resolve("oqr"), "Guided")
    app.open_review_id = review.id
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        panel = screen.query_one("#panel-ask", PanelText).text
        assert "Undecided: " in panel and "Ask next: Total effort (hours)" in panel
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert screen.current_question == "total_hours"
        await pilot.pause()
        panel = screen.query_one("#panel-ask", PanelText).text
        assert "Ask the customer:" in panel and "named security lead" in panel
        await pilot.press("ctrl+t")  # guided on
        await pilot.pause()
        assert app.store.get(review.id).guided is True  # remembered for this review
        await pilot.press(*"4000", "enter")
        await pilot.pause()
        await pilot.pause()
        order = [q.id for q in screen.questionnaire.questions()]
        in_order = order[order.index("total_hours") + 1]
        assert screen.current_question == "contract_type" != in_order  # the top of `next`
        await pilot.press("ctrl+t")  # guided off: moving on is in order again
        await pilot.pause()
        screen.goto("total_hours")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert screen.current_question == in_order
