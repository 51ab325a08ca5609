"""The engagement in the app: home lists engagements above the loose reviews, enter
opens the engagement screen, `n` starts the next review with the shared answers."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Static

from gatebook.engagement.members import add_member
from gatebook.engagement.store import EngagementStore
from gatebook.store import Change, ChangeKind
from gatebook.tui.app import GatebookApp
from gatebook.tui.screens.engagement import EngagementScreen
from gatebook.tui.screens.home import HomeScreen
from gatebook.tui.screens.review import ReviewScreen
from gatebook.tui.widgets.review_list import ReviewList

from .tui_support import deterministic_app


async def settle(pilot: Pilot[Any], until: Any, tries: int = 1000) -> None:
    """Wait, message by message, for a condition (the rating worker runs in a thread)."""
    for _ in range(tries):
        await pilot.pause()
        if until():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("never happened")


def workspace(tmp_path: Path) -> tuple[GatebookApp, str, str, str]:
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    engagement = EngagementStore(app.store).create(
        "Northwind platform", start="2026-01-05", shared={"customer": "Northwind"}
    )
    member = app.store.create(app.catalog.resolve("oqr"), "Northwind OQR")
    add_member(app.store, engagement.id, member.id)
    loose = app.store.create(app.catalog.resolve("s2d"), "Loose handover")
    return app, engagement.id, member.id, loose.id


async def test_home_lists_engagements_above_loose_reviews(tmp_path: Path) -> None:
    app, engagement, member, loose = workspace(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        listing = app.screen.query_one("#reviews", ReviewList)
        await settle(pilot, lambda: "GREEN" in listing.lines[0] or "AMBER" in listing.lines[0])
        assert listing.keys == [f"eng:{engagement}", loose]  # the member is under its engagement
        assert "Northwind platform" in listing.lines[0] and "validation" in listing.lines[0]
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, EngagementScreen))
        screen = app.screen
        assert isinstance(screen, EngagementScreen)
        await settle(pilot, lambda: bool(screen.view))  # loaded by a worker
        assert screen.query_one("#members", ReviewList).keys == [member]
        next_text = str(screen.query_one("#engagement-next", Static).render())
        assert "sow (pesa)" in next_text
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, HomeScreen))


async def test_n_starts_the_next_review_with_the_shared_answers(tmp_path: Path) -> None:
    app, engagement, _, _ = workspace(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, EngagementScreen))
        await settle(pilot, lambda: bool(app.screen.view))  # type: ignore[attr-defined]
        await pilot.press("n")
        await settle(pilot, lambda: type(app.screen).__name__ == "PickOption")
        await pilot.press("enter")  # the next stage, preselected
        await settle(pilot, lambda: type(app.screen).__name__ == "TextPrompt")
        await pilot.press("enter")  # the proposed title
        await settle(pilot, lambda: type(app.screen).__name__ == "MeetingDialog")
        await pilot.press("escape")  # the session dialog
        await settle(pilot, lambda: isinstance(app.screen, ReviewScreen))
        review = app.screen
        assert isinstance(review, ReviewScreen)
        assert review.review.questionnaire == "pesa"
        assert EngagementStore(app.store).get(engagement).members[-1] == review.review.id
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, EngagementScreen))
        members = app.screen.query_one("#members", ReviewList)
        await settle(pilot, lambda: len(members.keys) == 2)  # the visit's load, in a worker


async def test_a_shared_answer_typed_in_the_app_reaches_the_other_member(tmp_path: Path) -> None:
    app, engagement, member, _ = workspace(tmp_path)
    pesa = app.store.create(app.catalog.resolve("pesa"), "Northwind PESA")
    add_member(app.store, engagement, pesa.id)
    app.store.set_position(member, "total_hours")
    app.open_review_id = member
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, ReviewScreen))
        await pilot.press(*"1200")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert screen.session.flush()
        assert app.store.get(pesa.id).answers["total_hours"] == 1200
        assert EngagementStore(app.store).get(engagement).shared["total_hours"] == 1200


async def test_the_portfolio_lists_by_rag_and_opens_an_engagement(tmp_path: Path) -> None:
    from gatebook.tui.screens.portfolio import PortfolioScreen

    app, engagement, member, loose = workspace(tmp_path)
    app.store.update(member, [Change(ChangeKind.ANSWER, "tcv_usd", 6000000)])  # amber
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("P")
        await settle(pilot, lambda: isinstance(app.screen, PortfolioScreen))
        screen = app.screen
        assert isinstance(screen, PortfolioScreen)
        items = screen.query_one("#portfolio-items", ReviewList)
        await settle(pilot, lambda: bool(items.keys))
        assert items.keys == [f"engagement:{engagement}", f"review:{loose}"]  # amber first
        assert "AMBER" in items.lines[0] and "GREEN" in items.lines[1]
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, EngagementScreen))


async def test_a_conflicted_answer_shows_both_values_and_one_key_settles_it(
    tmp_path: Path,
) -> None:
    from gatebook.store.model import Conflict

    app, _, member, _ = workspace(tmp_path)
    app.store.update(member, [Change(ChangeKind.ANSWER, "tcv_usd", 2000000)])

    def conflicted(review: Any) -> None:
        review.conflicts.append(
            Conflict(field="answers.tcv_usd", base=1000000, ours=2000000, theirs=3000000)
        )

    app.store.modify(member, conflicted)
    app.store.set_position(member, "tcv_usd")
    app.open_review_id = member
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, ReviewScreen))
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        marks = screen.field("tcv_usd").marks  # type: ignore[union-attr]
        assert "ours 2000000" in marks and "theirs 3000000" in marks
        await pilot.press("f12")
        await pilot.pause()
        assert app.store.get(member).answers["tcv_usd"] == 3000000
        assert app.store.get(member).conflicts == []
        assert "conflict" not in (screen.field("tcv_usd").marks or "")  # type: ignore[union-attr]
