"""Keys do what the README says, on every question type (issue 34): `enter` and `tab`
move on and never change an answer; `space` toggles the highlighted option; `up`/`down`
move between questions, except inside a multichoice, checklist, table or long text,
where they move inside it and leave it past its edge; a choice's or rating's list opens
on `space` only; `tab` at a section's end lands, visibly focused, on the next section's
first question; `shift+F3` answers to `F15`; keys are named as they are typed.
Real key presses through the real app, on a questionnaire with one question of each type."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.widgets import Select, Static

from gatebook.tui.app import GatebookApp
from gatebook.tui.screens.help import HelpScreen
from gatebook.tui.screens.review import ReviewScreen
from gatebook.tui.widgets.footer import Footer

from .tui_support import deterministic_app

EVERY_TYPE = """\
id: every-type
title: Every question type
version: 1.0.0
rating_scale: [Absent, Weak, Fair, Good, Excellent]
dimensions:
  - {id: d, title: Delivery}
sections:
  - id: first
    title: First
    questions:
      - {id: name, type: text, prompt: Name}
      - {id: notes, type: longtext, prompt: Notes}
      - {id: agreed, type: boolean, prompt: Agreed}
      - id: kind
        type: choice
        prompt: Kind
        options:
          - {value: alpha, label: Alpha}
          - {value: beta, label: Beta}
          - {value: gamma, label: Gamma}
      - {id: level, type: rating, dimension: d, prompt: Level}
      - id: data
        type: multichoice
        prompt: Data
        options:
          - {value: pii, label: PII}
          - {value: phi, label: PHI}
          - {value: cui, label: CUI}
      - id: steps
        type: checklist
        prompt: Steps
        items:
          - {id: plan, title: Plan}
          - {id: build, title: Build}
      - id: people
        type: table
        prompt: People
        columns:
          - {id: who, type: text, prompt: Who}
      - {id: due, type: date, prompt: Due}
      - {id: amount, type: money, prompt: Amount}
  - id: second
    title: Second
    questions:
      - {id: ready, type: boolean, prompt: Ready}
      - {id: score, type: rating, dimension: d, prompt: Score}
"""

ANSWERS: dict[str, Any] = {
    "name": "Acme",
    "notes": "one line",
    "agreed": True,
    "kind": "beta",
    "level": 3,
    "data": ["pii", "cui"],
    "steps": {"plan": True, "build": False},
    "people": [{"who": "Ann"}, {"who": "Bo"}],
    "due": "2027-01-31",
    "amount": 500_000,
}
ORDER = list(ANSWERS)


def make(tmp_path: Path, answers: dict[str, Any] | None = None) -> GatebookApp:
    folder = tmp_path / "ws" / "questionnaires"  # the workspace's own questionnaires
    folder.mkdir(parents=True)
    (folder / "every-type.yaml").write_text(EVERY_TYPE, encoding="utf-8")
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    review = app.store.create(app.catalog.resolve("every-type"), "Keys", answers=answers or {})
    app.open_review_id = review.id
    return app


def screen_of(app: GatebookApp) -> ReviewScreen:
    assert isinstance(app.screen, ReviewScreen)
    return app.screen


async def at(pilot: Any, question_id: str) -> ReviewScreen:
    screen = screen_of(pilot.app)
    screen.goto(question_id)
    await pilot.pause()
    assert screen.current_question == question_id
    return screen


def focused_question(app: GatebookApp) -> str | None:
    """The question whose editor has the focus (None: the focus is elsewhere)."""
    focused = app.focused
    if focused is None or not (focused.id or "").startswith("editor-"):
        return None
    return (focused.id or "").removeprefix("editor-")


@pytest.mark.parametrize("key", ["enter", "tab"])
@pytest.mark.parametrize("question_id", ORDER[:-1])
async def test_enter_and_tab_move_on_and_never_change_an_answer(
    tmp_path: Path, question_id: str, key: str
) -> None:
    app = make(tmp_path, ANSWERS)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = await at(pilot, question_id)
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)  # no dialog, no list opened
        assert screen.review.answers == ANSWERS
        following = ORDER[ORDER.index(question_id) + 1]
        assert screen.current_question == following
        assert focused_question(app) == following


async def test_in_the_pesa_a_ticked_option_stays_ticked_on_enter(tmp_path: Path) -> None:
    """The call: `3`, `enter`, `enter` on regulated data unticked PII."""
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    review = app.store.create(app.catalog.resolve("pesa"), "PESA")
    app.open_review_id = review.id
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = await at(pilot, "regulated_data")
        await pilot.press("1", "3", "enter")
        await pilot.pause()
        assert screen.review.answers["regulated_data"] == ["pii", "cui"]
        assert screen.current_question == "compliance_regimes"  # shown: regulated data
        await pilot.press("enter")
        await pilot.pause()
        assert screen.current_question == "data_residency_constraints"
        await pilot.press("y", "enter")  # the next one answers as it should
        await pilot.pause()
        assert screen.review.answers["data_residency_constraints"] is True
        assert screen.review.answers["regulated_data"] == ["pii", "cui"]


@pytest.mark.parametrize("question_id", ["agreed", "kind", "level"])
async def test_up_and_down_on_a_one_key_answer_move_between_questions(
    tmp_path: Path, question_id: str
) -> None:
    """`up` on a rating opened its list (and the next keys set a wrong value)."""
    app = make(tmp_path, ANSWERS)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = await at(pilot, question_id)
        index = ORDER.index(question_id)
        await pilot.press("up")
        await pilot.pause()
        assert screen.current_question == ORDER[index - 1]
        await pilot.press("down")
        await pilot.pause()
        assert screen.current_question == question_id
        await pilot.press("down")
        await pilot.pause()
        assert screen.current_question == ORDER[index + 1]
        select = screen.query_one(f"#editor-{question_id}", Select)
        assert not select.expanded
        assert screen.review.answers == ANSWERS


@pytest.mark.parametrize("question_id", ["kind", "level"])
async def test_a_list_opens_on_space_only(tmp_path: Path, question_id: str) -> None:
    app = make(tmp_path, ANSWERS)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = await at(pilot, question_id)
        select = screen.query_one(f"#editor-{question_id}", Select)
        await pilot.press("space")
        await pilot.pause()
        assert select.expanded
        await pilot.press("escape")
        await pilot.pause()
        assert not select.expanded and screen.review.answers == ANSWERS


@pytest.mark.parametrize(
    ("question_id", "size"), [("data", 3), ("steps", 2), ("people", 2), ("notes", 1)]
)
async def test_up_and_down_move_inside_lines_and_leave_past_the_edge(
    tmp_path: Path, question_id: str, size: int
) -> None:
    """A multichoice's, checklist's or table's `down` walks its options or rows, then
    goes on; `up` walks back and leaves past the first; nothing is ticked on the way."""
    app = make(tmp_path, ANSWERS)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = await at(pilot, question_id)  # entered from above: at its first line
        for _ in range(size - 1):
            await pilot.press("down")
            await pilot.pause()
            assert screen.current_question == question_id
        await pilot.press("down")
        await pilot.pause()
        after = ORDER[ORDER.index(question_id) + 1]
        assert screen.current_question == after
        await pilot.press("up")  # entered from below: at its last line
        await pilot.pause()
        assert screen.current_question == question_id
        for _ in range(size - 1):
            await pilot.press("up")
            await pilot.pause()
            assert screen.current_question == question_id
        await pilot.press("up")
        await pilot.pause()
        assert screen.current_question == ORDER[ORDER.index(question_id) - 1]
        assert screen.review.answers == ANSWERS


@pytest.mark.parametrize("question_id", ["data", "steps"])
async def test_space_toggles_the_highlighted_option_and_digits_toggle_theirs(
    tmp_path: Path, question_id: str
) -> None:
    app = make(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = await at(pilot, question_id)
        await pilot.press("down", "space", "enter")  # the second option, then on
        await pilot.pause()
        second = {"data": ["phi"], "steps": {"plan": False, "build": True}}[question_id]
        assert screen.review.answers[question_id] == second
        assert screen.current_question != question_id
        await at(pilot, question_id)
        await pilot.press("1", "2", "tab")
        await pilot.pause()
        first = {"data": ["pii"], "steps": {"plan": True, "build": False}}[question_id]
        assert screen.review.answers[question_id] == first


async def test_a_long_text_takes_a_new_line_on_ctrl_j(tmp_path: Path) -> None:
    app = make(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = await at(pilot, "notes")
        await pilot.press(*"one", "ctrl+j", *"two", "enter")
        await pilot.pause()
        assert screen.review.answers["notes"] == "one\ntwo"
        assert screen.current_question == "agreed"


async def test_a_table_row_is_edited_with_e_not_enter(tmp_path: Path) -> None:
    from gatebook.tui.screens.modals import RowEditor

    app = make(tmp_path, ANSWERS)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await at(pilot, "people")
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, RowEditor)


@pytest.mark.parametrize("key", ["tab", "enter", "down"])
async def test_at_a_sections_end_the_next_section_has_the_focus(tmp_path: Path, key: str) -> None:
    """Tab on a section's last question left no visible focus, and the next digit did
    nothing."""
    app = make(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = await at(pilot, "amount")
        await pilot.press(key)
        await pilot.pause()
        assert screen.section_index == 1
        assert focused_question(app) == "ready"
        await pilot.press("y", key)
        await pilot.pause()
        assert screen.review.answers["ready"] is True
        await pilot.press("3")
        await pilot.pause()
        assert screen.review.answers["score"] == 3
        await pilot.press("shift+tab", "shift+tab")  # back past the section's start
        await pilot.pause()
        assert screen.section_index == 0 and focused_question(app) == "amount"


@pytest.mark.parametrize("key", ["shift+f3", "f15"])
async def test_section_not_applicable_answers_to_shift_f3_and_f15(tmp_path: Path, key: str) -> None:
    """Many terminals (and tmux over ssh) send shift+F3 as F15."""
    from gatebook.tui.screens.modals import TextPrompt

    app = make(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)


async def test_help_and_footer_name_keys_as_they_are_typed(tmp_path: Path) -> None:
    app = make(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        footer = screen_of(app).query_one(Footer)
        shown = " ".join(key.display for key in footer.current()[0])
        assert "ctrl+s" in shown and "^" not in shown
        await pilot.press("f1")  # `?` would be typed into the focused text answer
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one(Static).render())
        assert "shift+f3 / f15" in text and "ctrl+s" in text and "?" in text
        assert "question_mark" not in text and "slash" not in text and "^s" not in text
        await pilot.press("escape", "escape")
        await pilot.pause()
        await pilot.press("question_mark")  # home: the filter key is `/`
        await pilot.pause()
        text = str(app.screen.query_one(Static).render())
        assert "/ " in text and "slash" not in text and "question_mark" not in text


def test_the_keyboard_reference_names_keys_as_typed() -> None:
    from gatebook.tui.keys import reference

    text = reference()
    assert "`/`" in text and "`?`" in text and "`ctrl+s`" in text and "`f15`" in text
    assert "slash" not in text and "question_mark" not in text


async def test_a_key_typed_while_the_next_section_mounts_answers_its_first_question(
    tmp_path: Path,
) -> None:
    """`tab` then `y` at once, faster than the next section mounts: the `y` waits for
    the question that takes the focus instead of being lost."""
    app = make(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = await at(pilot, "amount")
        screen.action_next_question()  # what tab does: the next section starts mounting
        app.post_message(events.Key("y", "y"))  # typed before it is there
        for _ in range(20):
            await pilot.pause()
            if "ready" in screen.review.answers:
                break
        assert screen.review.answers.get("ready") is True
        assert focused_question(app) == "ready"


@pytest.mark.parametrize("move", ["tab", "enter", "down"])
async def test_a_key_right_behind_a_move_answers_the_next_question(
    tmp_path: Path, move: str
) -> None:
    """Over a slow ssh link `tab` and `n` arrive together: the `n` answers the next
    question, never the one being left."""
    app = make(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = await at(pilot, "notes")
        app.post_message(events.Key(move, None))
        app.post_message(events.Key("y", "y"))
        for _ in range(10):
            await pilot.pause()
        assert "notes" not in screen.review.answers  # not typed into the long text
        assert screen.review.answers.get("agreed") is True
