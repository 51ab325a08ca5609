"""The app's side of the register, escalation, sessions and section N/A, by keyboard."""

from __future__ import annotations

import re
from pathlib import Path

from textual.widgets import Input, Select, Static

from gatebook.tui.app import GatebookApp
from gatebook.tui.screens.records import (
    AddRiskDialog,
    EscalationDialog,
    MeetingDialog,
    RiskRowDialog,
    today,
)
from gatebook.tui.screens.review import ReviewScreen
from gatebook.tui.screens.summary import SummaryScreen

from .tui_support import deterministic_app

RISKY = {"tcv_usd": 6_000_000, "production_access": True}


def open_app(tmp_path: Path, answers: dict[str, object] | None = None) -> tuple[GatebookApp, str]:
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    review = app.store.create(app.catalog.resolve("oqr"), "Register", answers=answers or RISKY)
    app.open_review_id = review.id
    return app, review.id


def saved(app: GatebookApp, review_id: str) -> dict[str, object]:
    screen = next(s for s in app.screen_stack if isinstance(s, ReviewScreen))
    assert screen.flush()
    review = app.store.get(review_id)
    return {
        "mitigations": review.mitigations,
        "register": {k: v.model_dump() for k, v in review.risk_register.items()},
        "escalation": review.escalation,
        "meetings": review.meetings,
        "na": review.not_applicable,
    }


async def test_the_summary_edits_register_rows_by_keyboard(tmp_path: Path) -> None:
    app, review_id = open_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert app.focused is not None and app.focused.id == "mitigation-large_deal_size"
        await pilot.press(*"Phased delivery", "tab", *"Stop after phase 1")
        await pilot.pause()
        line = str(app.screen.query_one("#row-large_deal_size", Static).render())
        assert "addressed" in line and "needs" not in line
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(app.screen, RiskRowDialog)
        app.screen.query_one("#risk-owner", Input).value = "Ana Lima"
        app.screen.query_one("#risk-due", Input).value = "2026-02-30"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RiskRowDialog)  # refused at the field, kept open
        error = str(app.screen.query_one("#record-error", Static).render())
        assert "2026-02-30" in error
        app.screen.query_one("#risk-due", Input).value = "2026-12-15"
        app.screen.query_one("#risk-status", Select).value = "mitigating"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        data = saved(app, review_id)
        assert data["mitigations"] == {"large_deal_size": "Phased delivery"}
        row = data["register"]["large_deal_size"]  # type: ignore[index]
        assert (row["contingency"], row["owner"], row["due"], row["status"]) == (
            "Stop after phase 1",
            "Ana Lima",
            "2026-12-15",
            "mitigating",
        )
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, AddRiskDialog)
        app.screen.query_one("#risk-title", Input).value = "Key\x07"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, AddRiskDialog)  # refused, named as the dialog names it
        error = str(app.screen.query_one("#record-error", Static).render())
        assert error.startswith("Risk: ") and "U+0007" in error and "--add" not in error
        app.screen.query_one("#risk-title", Input).value = ""
        await pilot.press(*"Key architect may leave", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        register = saved(app, review_id)["register"]
        (added,) = (key for key in register if key.startswith("risk_"))  # type: ignore[attr-defined]
        assert re.fullmatch(r"risk_[a-z0-9]{6}", added), added  # F5: an id no laptop shares
        assert register[added]["title"] == "Key architect may leave"  # type: ignore[index]


async def test_escalation_and_sessions_are_recorded_from_the_summary(tmp_path: Path) -> None:
    app, review_id = open_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f8")
        await pilot.pause()
        banner = str(app.screen.query_one("#summary-escalation", Static).render())
        assert "No decision recorded" in banner
        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, EscalationDialog)
        assert app.screen.query_one("#escalation-date", Input).value == today()
        await pilot.press(*"Maria Ortiz, VP Delivery", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EscalationDialog)  # no decision picked yet
        app.screen.query_one("#escalation-decision", Select).value = "proceed"
        await pilot.press("ctrl+s")
        await pilot.pause()
        banner = str(app.screen.query_one("#summary-escalation", Static).render())
        assert "Decided proceed by Maria Ortiz, VP Delivery" in banner
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, MeetingDialog)
        await pilot.press(*"Ana Lima, Acme, CTO; Bo Chen, Acme", "ctrl+s")
        await pilot.pause()
        data = saved(app, review_id)
        record = data["escalation"]
        assert record is not None and record.decision == "proceed"  # type: ignore[attr-defined]
        meetings = data["meetings"]
        assert [a.name for a in meetings[0].attendees] == ["Ana Lima", "Bo Chen"]  # type: ignore[index]
        await pilot.press("ctrl+o")  # reopens today's session, not a second one
        await pilot.pause()
        assert app.screen.query_one("#meeting-attendees", Input).value.startswith("Ana Lima")
        await pilot.press("escape")
        await pilot.pause()
        assert len(saved(app, review_id)["meetings"]) == 1  # type: ignore[arg-type]


async def test_a_whole_section_is_marked_not_applicable_and_undone_in_one_step(
    tmp_path: Path,
) -> None:
    app, review_id = open_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        screen.goto("test_approach")
        await pilot.pause()
        await pilot.press("shift+f3")
        await pilot.pause()
        await pilot.press(*"T&M advisory", "enter")
        await pilot.pause()
        section = next(s for s in screen.questionnaire.sections if s.id == "doc_testing")
        expected = {q.id: "T&M advisory" for q in section.questions}
        assert saved(app, review_id)["na"] == expected
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert saved(app, review_id)["na"] == {}
