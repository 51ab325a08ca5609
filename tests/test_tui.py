"""Pilot tests: real key presses through the real app on a temporary workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Input, Select, Static

from gatebook.demo import DEMO_TITLE
from gatebook.tui.app import GatebookApp
from gatebook.tui.screens.home import HomeScreen
from gatebook.tui.screens.review import ReviewScreen
from gatebook.tui.widgets.panel_text import PanelText
from gatebook.tui.widgets.question_field import QuestionField

from .tui_support import deterministic_app


def review_screen(app: GatebookApp) -> ReviewScreen:
    assert isinstance(app.screen, ReviewScreen), type(app.screen)
    return app.screen


def panel_text(app: GatebookApp) -> str:
    screen = review_screen(app)
    return "\n".join(w.text for w in screen.query("#live-panel PanelText").results(PanelText))


def new_review(app: GatebookApp, answers: dict[str, Any] | None = None) -> str:
    questionnaire = app.catalog.resolve("oqr")
    return app.store.create(questionnaire, "Acme", answers=answers or {}).id


async def test_first_start_brings_a_demo_review(tmp_path: Path) -> None:
    app = deterministic_app(tmp_path / "ws")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert [s.title for s in app.store.summaries()] == [DEMO_TITLE]
        await pilot.press("enter")
        await pilot.pause()
        screen = review_screen(app)
        assert screen.review.title == DEMO_TITLE
        assert "Large deal size" in panel_text(app)
    again = deterministic_app(tmp_path / "ws")
    app.store.delete(app.store.summaries()[0].id)
    async with again.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert again.store.summaries() == []  # offered once, not forced back


async def test_flags_appear_and_disappear_as_you_type(tmp_path: Path) -> None:
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    review_id = new_review(app)
    app.open_review_id = review_id
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = review_screen(app)
        screen.goto("tcv_usd")
        await pilot.pause()
        await pilot.press(*"6m")
        await pilot.pause()
        assert "Large deal size" in panel_text(app)
        assert "$6,000,000" in panel_text(app)
        await pilot.press("backspace", "backspace", "4", "m")
        await pilot.pause()
        assert "Large deal size" not in panel_text(app)
        screen.close_saver()
    assert app.store.get(review_id).answers["tcv_usd"] == 4_000_000


async def test_unreadable_money_refused_at_the_field(tmp_path: Path) -> None:
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    review_id = new_review(app, {"tcv_usd": 1_000_000})
    app.open_review_id = review_id
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = review_screen(app)
        screen.goto("tcv_usd")
        await pilot.pause()
        editor = screen.query_one("#editor-tcv_usd", Input)
        editor.value = "lots"
        await pilot.pause()
        message = screen.query_one("#field-tcv_usd .message", PanelText)
        assert "cannot read this as money" in message.text
        assert screen.review.answers["tcv_usd"] == 1_000_000
        screen.close_saver()
    assert app.store.get(review_id).answers["tcv_usd"] == 1_000_000


async def test_na_note_follow_up_goto_undo_and_reopen(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    app = deterministic_app(home, offer_demo=False)
    review_id = new_review(app, {"te_cutting_edge": 4, "te_collaborative": 0})
    app.open_review_id = review_id
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = review_screen(app)
        assert screen.result.scores["TE"] == 50.0
        screen.goto("te_collaborative")
        await pilot.pause()
        assert screen.current_question == "te_collaborative", screen.current_question
        await pilot.press("f3", *"no partners", "enter")
        await pilot.pause()
        assert screen.result.scores["TE"] == 100.0
        assert "te_collaborative" in screen.review.not_applicable
        screen.goto("customer")
        await pilot.pause()
        await pilot.press("f2", *"call back", "enter")
        await pilot.pause()
        assert screen.review.notes["customer"] == "call back"
        await pilot.press("f4")
        await pilot.pause()
        screen.goto("opportunity")
        await pilot.pause()
        await pilot.press("f6")
        await pilot.pause()
        assert screen.current_question == "customer"
        await pilot.press(*"Acme")
        await pilot.pause()
        assert screen.flush()
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert "customer" not in screen.review.answers
        screen.goto("metric_csat")  # far from the first section ...
        await pilot.pause()
        assert screen.section_index != 0
        await pilot.press("ctrl+p")  # ... and back to it through the command palette
        await pilot.pause()
        await pilot.press(*"total contract value")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert (screen.section_index, screen.current_question) == (0, "tcv_usd")
        screen.goto("metric_csat")
        await pilot.pause()
        assert screen.current_question == "metric_csat"
    reopened = deterministic_app(home, open_review_id=review_id, offer_demo=False)
    async with reopened.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = review_screen(reopened)
        assert screen.current_question == "metric_csat"
        assert screen.review.not_applicable == {"te_collaborative": "no partners"}
        assert screen.review.notes == {"customer": "call back"}
        assert screen.review.follow_ups == ["customer"]


async def test_show_if_hides_and_shows(tmp_path: Path) -> None:
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    app.open_review_id = new_review(app, {"contract_type": "tm"})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = review_screen(app)
        field = screen.query_one("#field-ffp_value_usd", QuestionField)
        assert field.has_class("-hidden")
        screen.query_one("#editor-contract_type", Select).value = "ffp"
        await pilot.pause()
        assert not field.has_class("-hidden")


async def test_hostile_text_is_shown_literally(tmp_path: Path) -> None:
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    hostile = "[b]bold[/b] [/x] [link=x]y 😀 שלום " + "long " * 40
    app.open_review_id = new_review(app, {"customer": hostile})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = review_screen(app)
        screen.query_one("#editor-customer", Input).value = hostile + "[/b]"
        await pilot.pause()
        await pilot.press("f2", *"[/i] note", "enter")
        await pilot.pause()
        assert screen.review.notes["customer"] == "[/i] note"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_narrow_terminal_folds_the_panel(tmp_path: Path) -> None:
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    app.open_review_id = new_review(app, {"tcv_usd": 9_000_000})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = review_screen(app)
        assert screen.has_class("-narrow")
        bar = screen.query_one("#summary-bar", PanelText)
        assert bar.display and "▲ 1 high" in str(bar.render())
        assert not screen.query_one("#live-panel").display
        await pilot.press("f9")
        await pilot.pause()
        assert screen.query_one("#live-panel").display


async def test_home_filter_sort_delete(tmp_path: Path) -> None:
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    new_review(app)
    other = app.store.create(app.catalog.resolve("pesa"), "Globex security").id
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        home = app.screen
        assert isinstance(home, HomeScreen)
        await pilot.press("slash", *"globex")
        await pilot.pause()
        assert [s.id for s in home.visible_rows()] == [other]
        await pilot.press("enter", "x", "y")
        await pilot.pause()
        assert other not in [s.id for s in app.store.summaries()]
        await pilot.press("u")
        await pilot.pause()
        assert other in [s.id for s in app.store.summaries()]


async def test_new_review_copies_shared_answers(tmp_path: Path) -> None:
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    source = new_review(app, {"production_access": True, "tcv_usd": 1})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        app.screen.dismiss("pesa")  # type: ignore[arg-type]
        await pilot.pause()
        await pilot.press(*"Acme PESA", "enter")
        await pilot.pause()
        app.screen.dismiss(source)  # type: ignore[arg-type]
        await pilot.pause()
        await pilot.press("escape")  # the session dialog a new review opens with
        await pilot.pause()
        screen = review_screen(app)
        assert screen.questionnaire.id == "pesa"
        assert screen.review.answers == {"production_access": True}


async def test_help_lists_bindings(tmp_path: Path) -> None:
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    app.open_review_id = new_review(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        text = str(app.screen.query_one(Static).render())
        assert "Next unanswered" in text and "f2" in text


async def test_summary_signs_off_and_exports_the_plan(tmp_path: Path) -> None:
    from textual.widgets import Markdown

    from gatebook.plan.render import render_plan
    from gatebook.tui.screens.plan import ExportScreen, SignoffDialog
    from gatebook.tui.screens.summary import SummaryScreen

    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    app.open_review_id = new_review(app, {"customer": "Acme [b]"})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        await pilot.press("f10")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SignoffDialog)
        dialog.query_one("#signoff-role", Select).value = "reviewer"
        dialog.query_one("#signoff-name", Input).value = "Ana Lima"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SignoffDialog)  # refused: required answers missing
        assert "Override reason" in str(dialog.query_one("#signoff-error", Static).render())
        dialog.query_one("#signoff-override", Input).value = "sponsor accepted the gaps"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        review_id = app.open_review_id
        stored = app.store.get(review_id)
        assert [(s.role, s.name, s.override) for s in stored.signoffs] == [
            ("reviewer", "Ana Lima", "sponsor accepted the gaps")
        ]
        assert "Ana Lima" in str(app.screen.query_one("#summary-signoffs", Static).render())
        await pilot.press("f7")
        for _ in range(50):
            await pilot.pause(0.05)
            if isinstance(app.screen, ExportScreen) and app.screen.plan_text:
                break
        export = app.screen
        assert isinstance(export, ExportScreen) and export.plan_text
        assert "Acme" in export.query_one("#plan-markdown", Markdown).source
        await pilot.press("ctrl+s")
        await pilot.pause()
        target = tmp_path / "plan.md"
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        questionnaire = app.store.questionnaire_for(stored)
        assert target.read_text() == render_plan(app.store.get(review_id), questionnaire)


async def test_new_review_from_a_lens_file_shows_choice_help_and_risk(tmp_path: Path) -> None:
    from textual.widgets import SelectionList

    from gatebook.store import Change
    from gatebook.tui.screens.home import FROM_FILE
    from gatebook.tui.screens.modals import PickOption, TextPrompt

    lens = Path(__file__).parent / "data" / "lens_no_default.json"
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, PickOption)
        app.screen.dismiss(FROM_FILE)
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        app.screen.query_one(Input).value = str(lens)
        await pilot.press("enter")
        await pilot.pause()
        app.screen.query_one(Input).value = "Lens run"
        await pilot.press("enter")
        await pilot.pause()
        from gatebook.tui.screens.records import MeetingDialog, today

        assert isinstance(app.screen, MeetingDialog)  # a new review asks who is on the call
        assert app.screen.query_one("#meeting-date", Input).value == today()
        await pilot.press("escape")
        await pilot.pause()
        screen = review_screen(app)
        assert screen.questionnaire.id == "small-test-lens"
        screen.goto("Q2")
        await pilot.pause()
        selection = screen.query_one("#editor-Q2", SelectionList)
        selection.focus()
        await pilot.press("down", "up")  # arrows move between choices inside the list
        await pilot.pause()
        assert selection.highlighted == 0 and screen.current_question == "Q2"
        help_text = str(screen.query_one("#help-text", Static).render())
        assert "Why x matters" in help_text and "https://example.com/x" in help_text
        screen.apply([Change("answer", "Q2", ["x"])])
        await pilot.pause()
        assert "Practices x and y" in panel_text(app)
        screen.flush()
        assert app.store.get(screen.review.id).questionnaire_path == str(lens.resolve())


async def test_cleared_mitigation_leaves_memory_and_disk_with_one_digest(tmp_path: Path) -> None:
    """Also: flushing with saves pending returns (the saver never waits on the UI)."""
    from gatebook.store import Change
    from gatebook.store.canonical import content_digest

    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    app.open_review_id = new_review(app, {"tcv_usd": 6_000_000})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = review_screen(app)
        screen.apply([Change("mitigation", "large_deal_size", "steering call")])
        screen.apply([Change("mitigation", "large_deal_size", "")])
        screen.flush()
        stored = app.store.get(screen.review.id)
        assert "large_deal_size" not in screen.review.mitigations
        assert content_digest(screen.review) == content_digest(stored)
