"""A question's field at 80x24 under NO_COLOR (issue 34's last stop): what a number
field reads is said once, a digit past the options says which digits there are and
changes nothing, an empty long text still shows where it is, and a field of a page
still mounting can be touched before it is drawn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, TextArea

from gatebook.questionnaire.models import Question
from gatebook.tui.widgets.question_field import NUMERIC_HINTS, UNANSWERED, QuestionField
from gatebook.tui.widgets.quick_select import digits_hint

from .readable_support import screen_text
from .test_tui_answer_keys import ANSWERS, at, make


def field(app: Any, question_id: str) -> QuestionField:
    found = app.screen.form.field(question_id)
    assert found is not None
    return found  # type: ignore[no-any-return]


@pytest.mark.parametrize("question_id", ["amount", "due"])
async def test_what_a_number_or_date_field_reads_is_said_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, question_id: str
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await at(pilot, question_id)
        await pilot.pause()
        hint = NUMERIC_HINTS["money" if question_id == "amount" else "date"]
        assert screen_text(app).count(hint) == 1  # under the field, not inside it too
        editor = field(app, question_id).editor
        assert isinstance(editor, Input) and editor.placeholder == UNANSWERED
        await pilot.press(*("5M" if question_id == "amount" else "2027-01-31"))
        await pilot.pause()
        shown = screen_text(app)
        assert hint not in shown  # the read-back takes its line
        assert ("= $5,000,000" if question_id == "amount" else "= 2027-01-31") in shown


def test_the_digits_a_field_takes_are_named() -> None:
    assert digits_hint(3) == "3 options: type 1-3"
    assert digits_hint(5, first=0, what="ratings") == "5 ratings: type 0-4"
    assert digits_hint(1) == "1 option: type 1"
    assert digits_hint(12) == "12 options: type 1-9"


@pytest.mark.parametrize(
    ("question_id", "digit", "said", "valid"),
    [
        ("kind", "4", "3 options: type 1-3", "1"),
        ("kind", "0", "3 options: type 1-3", "3"),
        ("level", "7", "5 ratings: type 0-4", "0"),
        ("data", "4", "3 options: type 1-3", "2"),
        ("steps", "3", "2 options: type 1-2", "1"),
    ],
)
async def test_a_digit_past_the_options_says_which_digits_there_are(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    question_id: str,
    digit: str,
    said: str,
    valid: str,
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make(tmp_path, ANSWERS)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = await at(pilot, question_id)
        await pilot.press(digit)
        await pilot.pause()
        assert screen.review.answers == ANSWERS  # nothing changed
        assert said in screen_text(app)
        await pilot.press(valid)  # a key that does something takes the words back
        await pilot.pause()
        assert screen.review.answers != ANSWERS
        assert said not in screen_text(app)
        await pilot.press(digit)
        await pilot.pause()
        assert said in screen_text(app)
        await pilot.press("tab")  # and so does leaving the question
        await pilot.pause()
        assert screen.current_question != question_id
        assert said not in screen_text(app)


@pytest.mark.parametrize("no_color", [True, False])
async def test_an_unfocused_long_text_keeps_an_edge_without_colour(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_color: bool
) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    app = make(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await at(pilot, "name")
        await pilot.pause()
        editor = field(app, "notes").editor
        assert isinstance(editor, TextArea) and not editor.has_focus
        assert editor.placeholder == UNANSWERED
        edge = editor.styles.border_left[0]
        assert (edge == "solid") is no_color  # with colour its background shows it
        if no_color:
            lines = screen_text(app).splitlines()
            notes = next(n for n, line in enumerate(lines) if line.strip() == "Notes")
            assert lines[notes + 1].lstrip().startswith(f"│ {UNANSWERED}")
        await at(pilot, "notes")
        await pilot.pause()
        assert editor.has_focus and editor.styles.border_left[0] != "solid"  # the focus bar


def test_a_field_not_yet_drawn_takes_a_warning_and_gives_back_its_height() -> None:
    """A page still mounting lists its fields before they are composed; moving the
    focus elsewhere released every field's warning line, and crashed the app on them
    (`'QuestionField' object has no attribute '_warning_line'`)."""
    question = Question.model_validate({"id": "amount", "type": "money", "prompt": "Amount"})
    waiting = QuestionField(question, None)
    waiting.release_height()
    waiting.set_warning("Amount is above the limit")
    waiting.release_height()
