"""Everything from inside the engagement (issue 34): `n` picks any stage (the next one
first and preselected, another DQI once one exists), `m` takes a milestone of every
member, `d` shows what changed since one, and the stage, RAG and next step stay on
screen at 80x24 whatever is scrolled. Pilot tests: keys in, state and screens out."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from textual.containers import VerticalScroll
from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot
from textual.widgets import Header, Input, OptionList, Static

from gatebook.engagement.members import create_member
from gatebook.engagement.store import EngagementStore
from gatebook.milestone.store import MilestoneStore
from gatebook.store import Change, ChangeKind
from gatebook.tui.app import GatebookApp
from gatebook.tui.screens.engagement import EngagementScreen
from gatebook.tui.screens.engagement_diff import EngagementDiffScreen
from gatebook.tui.screens.modals import PickOption, TextPrompt
from gatebook.tui.screens.review import ReviewScreen

from .tui_support import FIXED_TIME, deterministic_app


async def settle(pilot: Pilot[Any], until: Any, tries: int = 1000) -> None:
    """Wait, message by message, for a condition (workers run in threads)."""
    for _ in range(tries):
        await pilot.pause()
        if until():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("never happened")


def engagement_with(tmp_path: Path, *stages: str) -> tuple[GatebookApp, str, list[str]]:
    """An engagement whose members are the given questionnaires, made as `n` makes them."""
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    engagement = EngagementStore(app.store).create(
        "Northwind platform", start="2026-01-05", shared={"customer": "Northwind"}
    )
    members = [
        create_member(app.store, engagement.id, app.catalog.resolve(q), f"Northwind {q}").review.id
        for q in stages
    ]
    return app, engagement.id, members


async def open_engagement(pilot: Pilot[Any], app: GatebookApp, engagement: str) -> EngagementScreen:
    await pilot.pause()
    app.push_screen(EngagementScreen(engagement))
    await settle(pilot, lambda: isinstance(app.screen, EngagementScreen))
    screen = app.screen
    assert isinstance(screen, EngagementScreen)
    await settle(pilot, lambda: screen.view is not None)
    return screen


def notes(messages: list[Message]) -> list[str]:
    """What the app said (each notification's message), in order."""
    return [m.notification.message for m in messages if isinstance(m, Notify)]


def picker_ids(app: GatebookApp) -> list[str | None]:
    options = app.screen.query_one(OptionList)
    return [options.get_option_at_index(i).id for i in range(options.option_count)]


def sign_with_override(home: Path, review_id: str, questionnaire: Any) -> None:
    """Every required role signs, with an override (as `gatebook signoff` records it)."""
    from .cli_support import run_gatebook

    for role in questionnaire.signoff:
        if role.required:
            done = run_gatebook("--home", str(home), "signoff", review_id, "--role", role.id,
                                "--name", "Ana", "--decision", "approved-with-conditions",
                                "--comment", "c", "--override", "test", "--no-sign")  # fmt: skip
            assert done.returncode == 0, done.stderr


async def test_n_recommends_nothing_while_a_member_is_to_be_signed(tmp_path: Path) -> None:
    app, engagement, _ = engagement_with(tmp_path, "oqr", "pesa", "s2d")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_engagement(pilot, app, engagement)
        await pilot.press("n")  # the PESA is to be signed, not started again
        await settle(pilot, lambda: isinstance(app.screen, PickOption))
        assert picker_ids(app) == ["kickoff", "dqi", "close"]
        first = app.screen.query_one(OptionList).get_option_at_index(0)
        assert "recommended" not in str(first.prompt)


async def test_n_offers_every_stage_next_first_and_another_dqi(tmp_path: Path) -> None:
    app, engagement, members = engagement_with(tmp_path, "oqr", "pesa", "s2d")
    for review_id, qid in zip(members, ("oqr", "pesa", "s2d"), strict=True):
        sign_with_override(tmp_path / "ws", review_id, app.catalog.resolve(qid))
    for qid in ("kickoff", "dqi"):
        create_member(app.store, engagement, app.catalog.resolve(qid), f"Northwind {qid}")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_engagement(pilot, app, engagement)
        await pilot.press("n")
        await settle(pilot, lambda: isinstance(app.screen, PickOption))
        assert picker_ids(app) == ["dqi", "close"]  # another DQI until one is ready to close
        options = app.screen.query_one(OptionList)
        assert options.highlighted == 0  # the recommended one, preselected
        assert "recommended: next inspection due" in str(options.get_option_at_index(0).prompt)
        await pilot.press("enter")  # another DQI
        await settle(pilot, lambda: isinstance(app.screen, TextPrompt))
        assert app.screen.query_one(Input).value == "Northwind dqi 2"  # not the first one's
        await pilot.press("enter")
        await settle(pilot, lambda: type(app.screen).__name__ == "MeetingDialog")
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, ReviewScreen))
        review = app.screen
        assert isinstance(review, ReviewScreen)
        assert review.review.questionnaire == "dqi"
        members = EngagementStore(app.store).get(engagement).members
        assert len(members) == 6 and members[-1] == review.review.id
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is screen)


async def test_n_then_enter_starts_the_recommended_stage(tmp_path: Path) -> None:
    app, engagement, _ = engagement_with(tmp_path, "oqr")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_engagement(pilot, app, engagement)
        await pilot.press("n")
        await settle(pilot, lambda: isinstance(app.screen, PickOption))
        assert picker_ids(app)[0] == "pesa" and "oqr" not in picker_ids(app)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, TextPrompt))
        await pilot.press("enter")
        await settle(pilot, lambda: type(app.screen).__name__ == "MeetingDialog")
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, ReviewScreen))
        assert app.screen.review.questionnaire == "pesa"  # type: ignore[attr-defined]


async def test_m_takes_a_milestone_of_every_member_named_by_the_date(tmp_path: Path) -> None:
    app, engagement, members = engagement_with(tmp_path, "oqr", "pesa")
    messages: list[Message] = []
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        screen = await open_engagement(pilot, app, engagement)
        await pilot.press("m")
        await settle(pilot, lambda: isinstance(app.screen, TextPrompt))
        assert app.screen.query_one(Input).value == FIXED_TIME[:10]
        await pilot.press("enter")
        milestones = MilestoneStore(app.store)
        await settle(pilot, lambda: all(milestones.names(m) == [FIXED_TIME[:10]] for m in members))
        await settle(pilot, lambda: any("taken on 2 review(s)" in n for n in notes(messages)))
        assert app.screen is screen
        await pilot.press("m")  # the same name again: refused, named, nothing written
        await settle(pilot, lambda: isinstance(app.screen, TextPrompt))
        await pilot.press("enter")
        await settle(pilot, lambda: any("already" in n for n in notes(messages)))
        assert all(milestones.names(m) == [FIXED_TIME[:10]] for m in members)
        assert app.is_running and app.screen is screen


async def test_d_shows_what_changed_since_a_milestone(tmp_path: Path) -> None:
    app, engagement, (oqr,) = engagement_with(tmp_path, "oqr")
    messages: list[Message] = []
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        screen = await open_engagement(pilot, app, engagement)
        await pilot.press("d")
        await settle(pilot, lambda: any("No milestone" in n for n in notes(messages)))
        assert app.screen is screen
        await pilot.press("m", "enter")
        milestones = MilestoneStore(app.store)
        await settle(pilot, lambda: bool(milestones.names(oqr)))
        app.store.update(oqr, [Change(ChangeKind.ANSWER, "tcv_usd", 6000000)])
        pesa = create_member(app.store, engagement, app.catalog.resolve("pesa"), "PESA")
        await pilot.press("d")
        await settle(pilot, lambda: isinstance(app.screen, PickOption))
        assert picker_ids(app) == [FIXED_TIME[:10]]
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, EngagementDiffScreen))
        text = str(app.screen.query_one("#engagement-diff-text", Static).render())
        assert f"from {FIXED_TIME[:10]} to now" in text
        assert f"added {pesa.review.id} (PESA)" in text
        assert "Status: GREEN -> AMBER" in text and "raised large_deal_size" in text
        await pilot.press("pagedown", "escape")
        await settle(pilot, lambda: app.screen is screen)


async def test_the_head_stays_on_screen_at_80x24_whatever_is_scrolled(tmp_path: Path) -> None:
    """Twelve members and their carried risks: the list and the register scroll; the
    stage, the RAG and the next step do not move."""
    app, engagement, members = engagement_with(tmp_path, "oqr")
    oqr = members[0]
    app.store.update(
        oqr,
        [
            Change(ChangeKind.ANSWER, key, value)
            for key, value in [
                ("tcv_usd", 6000000),
                ("production_access", True),
                ("custom_ai_ml", True),
                ("regulated_data", ["pii"]),
                ("documentation_sufficient", False),
                ("requirements_clarity", "ambiguous"),
            ]
        ],
    )
    for stage in ["pesa", "s2d", "kickoff"] + ["dqi"] * 8:
        create_member(app.store, engagement, app.catalog.resolve(stage), f"Northwind {stage}")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_engagement(pilot, app, engagement)
        scroller = screen.query_one("#engagement", VerticalScroll)
        summary = screen.query_one("#engagement-summary", Static)
        nexts = screen.query_one("#engagement-next", Static)
        assert "AMBER" in str(summary.render()) and "stage inspect" in str(summary.render())
        before = (summary.region, nexts.region)
        scroller.scroll_end(animate=False)
        await settle(pilot, lambda: scroller.scroll_y > 0)
        await pilot.pause()
        assert (summary.region, nexts.region) == before
        for widget in (summary, nexts):
            region = widget.region
            assert region.height > 0 and region.y >= 1 and region.bottom <= 23
            assert screen.get_widget_at(region.x + 1, region.y)[0] is widget
        assert str(nexts.render()).startswith("Next: sow (pesa) — sign ")
        header = screen.query_one(Header)  # the title: the header, docked at the top
        assert screen.title == "Northwind platform" and header.region.y == 0
        assert screen.get_widget_at(40, 0)[0] in (header, *header.walk_children())


async def test_the_palette_and_help_offer_the_new_keys(tmp_path: Path) -> None:
    from gatebook.tui.screens.help import binding_rows

    app, engagement, _ = engagement_with(tmp_path, "oqr")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_engagement(pilot, app, engagement)
        titles = [command.title for command in app.get_system_commands(screen)]
        for title in ("Start a stage (n)", "Milestone (m)", "Changes since (d)"):
            assert title in titles
        rows = binding_rows(screen)
        assert ("m", "Milestone") in rows and ("d", "Changes since") in rows
        ids = {binding.id for binding in EngagementScreen.BINDINGS}  # type: ignore[union-attr]
        assert {"engagement.next", "engagement.milestone", "engagement.diff"} <= ids


def test_the_stage_choices_of_an_empty_and_an_okr_engagement(tmp_path: Path) -> None:
    """No member: the OQR recommended, every stage of both tracks offered; an OKR
    engagement: its own track only, another checkpoint once one exists."""
    from gatebook.engagement.choices import stage_choices
    from gatebook.engagement.view import engagement_view

    app, empty, _ = engagement_with(tmp_path)
    view = engagement_view(app.store, EngagementStore(app.store).get(empty))
    choices = stage_choices(view)
    assert [c.questionnaire for c in choices] == [
        "oqr", "pesa", "s2d", "kickoff", "dqi", "close", "okr-intake", "okr-plan", "okr-review",
    ]  # fmt: skip
    assert [c.recommended for c in choices] == [True] + [False] * 8
    okr = EngagementStore(app.store).create("OKR ticket", start="2026-01-05", shared={})
    for questionnaire in ("okr-intake", "okr-review"):
        create_member(app.store, okr.id, app.catalog.resolve(questionnaire), questionnaire)
    view = engagement_view(app.store, EngagementStore(app.store).get(okr.id))
    labels = [c.label for c in stage_choices(view)]
    assert labels == [  # issue 33: the plan (MD/VP approval) comes before the checkpoints
        "okr-plan (plan), recommended: " + view.next_step.reason,  # type: ignore[union-attr]
        "okr-review (measure), another one (1 so far)",
    ]


async def test_every_reason_behind_the_rag_can_be_read_on_screen(tmp_path: Path) -> None:
    """Found on the walk: the head showed four of 26 reasons (`… and 22 more`), the
    DQI's own `rates red` not among them, and no way to see the rest. The head keeps
    two (the members keep room at 80x24); all are listed below the risks."""
    app, engagement, members = engagement_with(tmp_path, "oqr")
    app.store.update(
        members[0],
        [
            Change(ChangeKind.ANSWER, key, value)
            for key, value in [("tcv_usd", 6000000), ("production_access", True),
                               ("custom_ai_ml", True), ("regulated_data", ["pii"])]
        ],
    )  # fmt: skip
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_engagement(pilot, app, engagement)
        assert screen.view is not None
        reasons = screen.view.status_reasons
        assert len(reasons) > 2
        head = str(screen.query_one("#engagement-summary", Static).render())
        assert f"… and {len(reasons) - 2} more, listed below the risks" in head
        listed = str(screen.query_one("#engagement-reasons", Static).render())
        assert all(reason in listed for reason in reasons)
        assert listed.startswith("Why ") and f"({len(reasons)})" in listed.splitlines()[0]
