"""The common answers take one or two keys: real key presses through the real app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gatebook.store import Change, ChangeKind
from gatebook.tui.app import GatebookApp
from gatebook.tui.screens.review import ReviewScreen
from gatebook.tui.widgets.panel_text import PanelText

from .tui_support import deterministic_app


async def open_review(tmp_path: Path, questionnaire: str = "oqr") -> tuple[GatebookApp, str]:
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    review = app.store.create(app.catalog.resolve(questionnaire), "Keys")
    app.open_review_id = review.id
    return app, review.id


async def type_at(pilot: Any, screen: ReviewScreen, question_id: str, text: str) -> None:
    """Go to a question and type, as a person does."""
    screen.goto(question_id)
    await pilot.pause()
    await pilot.press(*text)
    await pilot.pause()


def screen_of(app: GatebookApp) -> ReviewScreen:
    assert isinstance(app.screen, ReviewScreen)
    return app.screen


async def test_a_whole_ratings_block_takes_two_keys_per_criterion(tmp_path: Path) -> None:
    app, review_id = await open_review(tmp_path)
    questionnaire = app.catalog.resolve("oqr")
    ratings = [q.id for q in questionnaire.questions() if q.type == "rating"]
    assert len(ratings) == 28
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        screen.goto(ratings[0])
        await pilot.pause()
        keys = 0
        for number, question_id in enumerate(ratings):
            assert screen.current_question == question_id
            await pilot.press(str(number % 5), "enter")
            keys += 2
            await pilot.pause()
        assert keys == 56  # 2 per criterion (the closing note has before and after)
        assert {q: screen.review.answers[q] for q in ratings} == {
            q: n % 5 for n, q in enumerate(ratings)
        }
        assert screen.flush()
    assert app.store.get(review_id).answers[ratings[-1]] == 27 % 5


async def test_yes_no_choice_and_multichoice_by_single_keys(tmp_path: Path) -> None:
    app, _ = await open_review(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        screen.goto("production_access")
        await pilot.pause()
        await pilot.press("y")
        assert screen.review.answers["production_access"] is True
        await pilot.press("n")
        assert screen.review.answers["production_access"] is False
        await pilot.press("space")
        assert screen.review.answers["production_access"] is True
        await pilot.press("enter")
        await pilot.pause()
        assert screen.current_question != "production_access"  # moved on

        screen.goto("contract_type")
        await pilot.pause()
        await pilot.press("2")
        assert screen.review.answers["contract_type"] == "tm"
        await pilot.press("m")
        assert screen.review.answers["contract_type"] == "mixed"
        await pilot.press("f")
        assert screen.review.answers["contract_type"] == "ffp"
        await pilot.press("9")  # no ninth option: nothing changes
        assert screen.review.answers["contract_type"] == "ffp"

        screen.goto("regulated_data")
        await pilot.pause()
        await pilot.press("1", "3")
        await pilot.pause()
        assert screen.review.answers["regulated_data"] == ["pii", "cui"]
        await pilot.press("1")
        await pilot.pause()
        assert screen.review.answers["regulated_data"] == ["cui"]


async def test_screens_open_with_focus_where_typing_helps(tmp_path: Path) -> None:
    from textual.widgets import Input

    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    review = app.store.create(
        app.catalog.resolve("oqr"),
        "Focus",
        answers={"tcv_usd": 6_000_000, "custom_ai_ml": True},
    )
    app.store.update(
        review.id, [Change(ChangeKind.MITIGATION, "large_deal_size", "weekly steering")]
    )
    app.open_review_id = review.id
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f8")
        await pilot.pause(0.3)
        focused = app.focused
        assert isinstance(focused, Input) and focused.id == "mitigation-ai_ml_services"
        await pilot.press(*"pilot first")
        await pilot.pause()
        review_screen = app.screen_stack[-2]
        assert isinstance(review_screen, ReviewScreen)
        assert review_screen.session.review.mitigations["ai_ml_services"] == "pilot first"


async def test_a_typed_amount_is_read_back_under_the_field(tmp_path: Path) -> None:

    app, review_id = await open_review(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        await type_at(pilot, screen, "tcv_usd", "750 thousand")
        message = screen.query_one("#field-tcv_usd .message", PanelText)
        assert message.text == "= $750,000"
        assert screen.review.answers["tcv_usd"] == 750_000
        assert screen.flush()
    assert app.store.get(review_id).answers["tcv_usd"] == 750_000


async def test_a_cross_question_warning_shows_at_both_fields(tmp_path: Path) -> None:

    app, _ = await open_review(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        await type_at(pilot, screen, "total_hours", "100")
        await type_at(pilot, screen, "security_hours", "120")
        for question_id in ("total_hours", "security_hours"):
            line = screen.query_one(f"#field-{question_id} .warning", PanelText)
            assert "exceed the total effort" in line.text
            assert not line.has_class("-empty")
        await pilot.press("backspace", "backspace", "backspace", *"80")
        await pilot.pause()
        cleared = screen.query_one("#field-total_hours .warning", PanelText)
        # blank, its line held until the focus moves on (no layout while typing)
        assert cleared.text == "" and cleared.has_class("-blank")
        assert screen.review.answers["security_hours"] == 80  # kept: a warning, not a refusal
        await pilot.press("tab")
        await pilot.pause()
        assert cleared.has_class("-empty")


async def test_the_risk_panel_takes_focus_and_scrolls_at_80x24(tmp_path: Path) -> None:

    from gatebook.demo import DEMO_ANSWERS

    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    review = app.store.create(app.catalog.resolve("oqr"), "Panel", answers=DEMO_ANSWERS)
    app.open_review_id = review.id
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        panel = screen.panel
        flags = screen.query_one("#panel-flags", PanelText).text
        assert flags.startswith(f"{len(screen.result.flags)} flags")
        gates = screen.query_one("#panel-gates", PanelText).text
        assert "✗ All high-risk patterns identified and addressed — unanswered" in gates
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert panel.has_focus and screen.has_class("-panel-open")
        section = screen.section_index
        await pilot.press("pagedown")
        await pilot.pause()
        assert screen.section_index == section and panel.scroll_y > 0  # scrolled, not paged
        await pilot.press("end")
        await pilot.pause()
        assert panel.scroll_y == panel.max_scroll_y  # every flag is reachable
        await pilot.press("ctrl+r")  # back to the question
        await pilot.pause()
        assert not panel.has_focus and not screen.has_class("-panel-open")


async def test_an_empty_row_is_not_saved_and_unsaved_cells_ask(tmp_path: Path) -> None:
    from gatebook.tui.screens.modals import Confirm, RowEditor

    app, _ = await open_review(tmp_path, "s2d")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        screen.goto("known_risks")
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, RowEditor)
        await pilot.press("ctrl+s")  # empty: refused, the editor stays
        await pilot.pause()
        assert isinstance(app.screen, RowEditor)
        await pilot.press(*"Data loss")  # typing lands in the first cell
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, RowEditor)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert screen.review.answers["known_risks"] == [{"risk": "Data loss"}]
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"x", "escape")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert screen.review.answers["known_risks"] == [{"risk": "Data loss"}]


async def test_returning_keeps_the_text_and_a_paste_over_it_is_one_undo(tmp_path: Path) -> None:
    from textual.widgets import Input

    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    review = app.store.create(app.catalog.resolve("oqr"), "Resume", answers={"customer": "Acme"})
    app.open_review_id = review.id
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        screen.goto("customer")
        await pilot.pause()
        editor = screen.query_one("#editor-customer", Input)
        assert editor.cursor_position == len("Acme") and editor.selected_text == ""
        await pilot.press(*" Corp")  # the first key never wipes the restored text
        await pilot.pause()
        assert screen.review.answers["customer"] == "Acme Corp"
        editor.value = "Contoso Holdings"  # a paste over the whole text
        await pilot.pause()
        assert screen.flush()
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert screen.review.answers["customer"] == "Acme Corp"
        assert editor.value == "Acme Corp"


async def test_dialogs_and_the_preview_open_with_focus(tmp_path: Path) -> None:
    from textual.containers import VerticalScroll
    from textual.widgets import Input

    from gatebook.demo import DEMO_ANSWERS

    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    review = app.store.create(app.catalog.resolve("oqr"), "Dialogs", answers=DEMO_ANSWERS)
    app.open_review_id = review.id
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for key in ("f2", "f3"):  # note, not applicable
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.focused, Input), key
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("f8")
        await pilot.pause()
        await pilot.press("f10")
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "signoff-role"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f7")
        await pilot.pause(0.3)
        assert isinstance(app.focused, VerticalScroll) and app.focused.id == "plan-preview"
