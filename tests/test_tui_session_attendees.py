"""A new session starts with who was on the last call (engagement/attendees.py): a new
member of an engagement opens its session dialog with the attendees of the nearest
earlier member's last session, shown in the dialog, editable, saved only by ctrl+s."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from gatebook.engagement.attendees import last_session
from gatebook.engagement.members import add_member
from gatebook.engagement.store import EngagementStore
from gatebook.store.records import meeting_change
from gatebook.tui.app import GatebookApp
from gatebook.tui.screens.engagement import EngagementScreen
from gatebook.tui.screens.records import MeetingDialog
from gatebook.tui.screens.review import ReviewScreen

from .readable_support import screen_text
from .tui_support import deterministic_app, until

OQR_CALL = ["Maria Gonzalez, Acme, CIO", "Tom Li, , Platform lead", "Ann Smith, ProServe"]


pytestmark = pytest.mark.usefixtures("no_color")


def meet(app: GatebookApp, review_id: str, date: str, attendees: list[str]) -> None:
    review = app.store.get(review_id)
    app.store.update(review_id, [meeting_change(review, date=date, attendees=attendees)])


def workspace(tmp_path: Path) -> tuple[GatebookApp, str, str, str]:
    """An engagement with an OQR that had two calls (the later one counts) and a PESA
    held with nobody recorded."""
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    engagement = EngagementStore(app.store).create(
        "Acme platform", start="2026-01-05", shared={"customer": "Acme"}
    )
    oqr = app.store.create(app.catalog.resolve("oqr"), "Acme OQR")
    pesa = app.store.create(app.catalog.resolve("pesa"), "Acme PESA")
    for member in (oqr, pesa):
        add_member(app.store, engagement.id, member.id)
    meet(app, oqr.id, "2026-01-12", OQR_CALL)
    meet(app, oqr.id, "2026-01-05", ["Someone Earlier, Acme"])  # recorded later, held earlier
    meet(app, pesa.id, "2026-01-20", [])
    return app, engagement.id, oqr.id, pesa.id


async def start_next_stage(app: GatebookApp, pilot: Pilot[Any]) -> MeetingDialog:
    """Home -> the engagement -> `n`, the recommended stage, the proposed title (the
    S2D: started before the PESA is signed, with no reason given)."""
    await pilot.pause()
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, EngagementScreen))
    await until(pilot, lambda: bool(app.screen.view))  # type: ignore[attr-defined]
    await pilot.press("n")
    await until(pilot, lambda: type(app.screen).__name__ == "PickOption")
    await pilot.press("enter")
    await until(pilot, lambda: type(app.screen).__name__ == "TextPrompt")
    await pilot.press("enter")
    await until(pilot, lambda: type(app.screen).__name__ in ("MeetingDialog", "TextPrompt"))
    if not isinstance(app.screen, MeetingDialog):  # started before the PESA is signed: why
        await pilot.press("escape")
    await until(pilot, lambda: isinstance(app.screen, MeetingDialog))
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, MeetingDialog)
    return dialog


def new_member(app: GatebookApp) -> str:
    review = next(s for s in app.screen_stack if isinstance(s, ReviewScreen))
    return review.review.id


async def test_a_new_member_starts_its_session_with_the_last_calls_attendees(
    tmp_path: Path,
) -> None:
    app, _, oqr, _ = workspace(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await start_next_stage(app, pilot)
        field = dialog.query_one("#meeting-attendees", Input)
        assert field.value == (
            "Maria Gonzalez, Acme, CIO; Tom Li, , Platform lead; Ann Smith, ProServe; "
        )
        text = screen_text(app)
        assert f"Acme OQR ({oqr}), session of 2026-01-12" in text, text
        assert "Maria Gonzalez, Tom Li, Ann Smith" in text
        assert dialog.query_one(".dialog").max_scroll_y == 0  # all of it at 80x24
        assert app.focused is field
        await pilot.press(*"Bo Chen, Acme, CFO", "ctrl+s")  # typing adds someone
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        review_id = new_member(app)
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.flush()
    (meeting,) = app.store.get(review_id).meetings
    people = [(a.name, a.organisation, a.role) for a in meeting.attendees]
    assert people == [
        ("Maria Gonzalez", "Acme", "CIO"),
        ("Tom Li", "", "Platform lead"),  # a role without an organisation stays a role
        ("Ann Smith", "ProServe", ""),
        ("Bo Chen", "Acme", "CFO"),
    ]


async def test_the_carried_attendees_are_not_saved_unless_the_session_is(
    tmp_path: Path,
) -> None:
    app, _, _, _ = workspace(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_next_stage(app, pilot)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        review_id = new_member(app)
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.flush()
        assert app.store.get(review_id).meetings == []
        await pilot.press("ctrl+o")  # reopened: still offered, ctrl+u clears them all
        await until(pilot, lambda: isinstance(app.screen, MeetingDialog))
        field = app.screen.query_one("#meeting-attendees", Input)
        assert field.value.startswith("Maria Gonzalez, Acme, CIO; ")
        await pilot.press("ctrl+u", *"Cy Dee, Acme", "ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        assert screen.flush()
    (meeting,) = app.store.get(review_id).meetings
    assert [a.name for a in meeting.attendees] == ["Cy Dee"]


def test_the_last_session_is_the_reviews_own_then_the_nearest_earlier_members(
    tmp_path: Path,
) -> None:
    app, engagement, oqr, pesa = workspace(tmp_path)
    store = app.store
    loose = store.create(app.catalog.resolve("s2d"), "Loose handover")
    assert last_session(store, loose) is None  # no engagement, no session
    found = last_session(store, store.get(pesa))  # its own session, with nobody in it
    assert found is not None and found.review is None and found.meeting.date == "2026-01-20"
    s2d = store.create(app.catalog.resolve("s2d"), "Acme S2D")
    add_member(store, engagement, s2d.id)
    found = last_session(store, store.get(s2d.id))  # the PESA's recorded nobody: the OQR's
    assert found is not None and (found.review, found.meeting.date) == (oqr, "2026-01-12")
    assert last_session(store, store.get(oqr)) is not None  # its own
    meet(app, s2d.id, "2026-02-01", ["Dee Fox, Acme"])
    kickoff = store.create(app.catalog.resolve("kickoff"), "Acme kickoff")
    add_member(store, engagement, kickoff.id)
    found = last_session(store, store.get(kickoff.id))
    assert found is not None and found.review == s2d.id
    assert [a.name for a in found.meeting.attendees] == ["Dee Fox"]
