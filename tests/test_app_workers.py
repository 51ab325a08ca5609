"""One reader per kind of file, and the app's work off its event loop (issue 32).

The home screen lists engagements through the store's listing, the same one
`engagement list` uses: a hostile engagement file is UNREADABLE in both or in neither.
The engagement screen loads once per visit in a thread worker and writes in one; a
load that finishes after a newer one began is dropped; a worker that fails on a real
bad file is a notification naming what failed, and the app goes on.

Nothing here waits on the clock: each step waits, message by message, for a condition
(`settle`) or for the app's workers to finish.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

from textual.message import Message
from textual.widgets import Static

from gatebook.engagement.members import add_member
from gatebook.engagement.store import MAX_ENGAGEMENT_BYTES, EngagementStore
from gatebook.tui.app import GatebookApp
from gatebook.tui.screens.engagement import LOADING, EngagementScreen
from gatebook.tui.screens.home import UNREADABLE, HomeScreen
from gatebook.tui.screens.review import ReviewScreen
from gatebook.tui.widgets.review_list import ReviewList

from .cli_support import gb
from .test_damage import notes, settle, unblocking
from .tui_support import deterministic_app


def engagement_record(engagement_id: str, **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "schema_version": 2,
        "id": engagement_id,
        "title": f"Title of {engagement_id}",
        "start": "2026-01-05",
        "created": "2026-01-05T09:00:00Z",
        "updated": "2026-01-05T09:00:00Z",
        "members": [],
        "shared": {"customer": "Northwind"},
    }
    record.update(changes)
    return record


def hostile_engagements(folder: Path) -> tuple[set[str], set[str], Path]:
    """Engagement files the store reads and files it refuses, side by side: (readable
    ids, unreadable ids, the FIFO)."""
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, object] = {
        "eng-fine": engagement_record("eng-fine"),
        "eng-number-customer": engagement_record(
            "eng-number-customer", shared={"customer": 42}
        ),  # a customer that is not text: no customer, still an engagement
        "-bad-id": engagement_record("-bad-id"),
        "eng-inner": engagement_record("eng-other"),
        "eng-date": engagement_record("eng-date", start="2026-99-99"),
        "eng-list": [engagement_record("eng-list")],
        "eng-extra": engagement_record("eng-extra", surprise=True),
        "eng-member": engagement_record("eng-member", members=["ok-1", 7]),
        "eng-no-title": engagement_record("eng-no-title", title=""),
    }
    for name, record in files.items():
        (folder / f"{name}.json").write_text(json.dumps(record), encoding="utf-8")
    (folder / "eng-truncated.json").write_text('{"id": "eng-trunc', encoding="utf-8")
    big = json.dumps(engagement_record("eng-big", title="x" * MAX_ENGAGEMENT_BYTES))
    (folder / "eng-big.json").write_text(big, encoding="utf-8")
    (folder / "eng-folder.json").mkdir()
    fifo = folder / "eng-fifo.json"
    os.mkfifo(fifo)
    readable = {"eng-fine", "eng-number-customer"}
    unreadable = {path.stem for path in folder.iterdir() if path.suffix == ".json"} - readable
    return readable, unreadable, fifo


async def test_home_shows_unreadable_exactly_when_engagement_list_does(tmp_path: Path) -> None:
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    readable, unreadable, fifo = hostile_engagements(app.store.home / "engagements")
    with unblocking(fifo):
        code, out, err = gb("--home", str(app.store.home), "engagement", "list", "--format", "json")
        assert code == 0, err
        listed = {row["id"]: row for row in json.loads(out)}
        async with app.run_test(size=(120, 40)) as pilot:
            home = app.screen
            assert isinstance(home, HomeScreen)
            await settle(pilot, lambda: all(row.status != "…" for row in home.engagements))
            rows = {row.id: row for row in home.engagements}
            lines = home.query_one("#reviews", ReviewList).lines
    assert set(rows) == set(listed) == readable | unreadable
    cli_unreadable = {key for key, row in listed.items() if "unreadable" in row}
    home_unreadable = {key for key, row in rows.items() if row.status == UNREADABLE}
    assert home_unreadable == cli_unreadable == unreadable
    assert sum(UNREADABLE in line for line in lines) == len(unreadable)
    for key in readable:  # what both read, both show alike
        assert rows[key].title == listed[key]["title"]
        assert rows[key].customer == (listed[key]["customer"] or "")
        assert rows[key].status == listed[key]["status"]
    assert rows["eng-fifo"].customer == "not a regular file (a FIFO)"
    assert rows["eng-inner"].customer.startswith("its inner id 'eng-other' differs")


def engagement_workspace(tmp_path: Path) -> tuple[GatebookApp, str, str]:
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    engagement = EngagementStore(app.store).create(
        "Northwind platform", start="2026-01-05", shared={"customer": "Northwind"}
    )
    member = app.store.create(app.catalog.resolve("oqr"), "Northwind OQR")
    add_member(app.store, engagement.id, member.id)
    return app, engagement.id, member.id


def summary_of(app: GatebookApp) -> str:
    return str(app.screen.query_one("#engagement-summary", Static).render())


async def test_the_engagement_screen_loads_once_per_visit_in_a_worker(tmp_path: Path) -> None:
    """One load when the screen is shown and one on each return from a review, never
    two; until a load arrives the screen says it is reading (the summary as the load's
    result reaches the screen is still the placeholder)."""
    app, _, member = engagement_workspace(tmp_path)
    loads: list[str] = []

    def hook(message: Message) -> None:
        if isinstance(message, EngagementScreen.Loaded):
            loads.append(summary_of(app))

    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # the engagement: a key, so its screen runs in the app
        await settle(pilot, lambda: isinstance(app.screen, EngagementScreen))
        screen = app.screen
        assert isinstance(screen, EngagementScreen)
        await settle(pilot, lambda: bool(screen.view))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert loads == [LOADING]
        assert "Northwind" in summary_of(app) and screen.title == "Northwind platform"
        await pilot.press("n")  # a dialog over the screen and back: nothing to load
        await settle(pilot, lambda: type(app.screen).__name__ == "PickOption")
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is screen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert loads == [LOADING]
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, ReviewScreen))
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is screen and len(loads) == 2)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(loads) == 2 and LOADING not in loads[1]  # the old view stays meanwhile
        assert screen.query_one("#members", ReviewList).keys == [member]


async def test_a_load_from_an_earlier_visit_never_overwrites_a_newer_one(tmp_path: Path) -> None:
    app, engagement, _ = engagement_workspace(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.push_screen(EngagementScreen(engagement))
        await settle(pilot, lambda: isinstance(app.screen, EngagementScreen))
        screen = app.screen
        assert isinstance(screen, EngagementScreen)
        await settle(pilot, lambda: bool(screen.view))
        await app.workers.wait_for_complete()
        current = summary_of(app)
        assert screen.view is not None
        stale = dataclasses.replace(screen.view, customer="Stale Corp", reviews=())
        screen.post_message(EngagementScreen.Loaded(0, "Stale title", stale))
        screen.action_reload()  # a newer load: what the stale one must not overwrite
        await app.workers.wait_for_complete()
        await settle(pilot, lambda: screen.view is not stale and summary_of(app) == current)
        await pilot.pause()
        assert "Stale" not in summary_of(app) and screen.title == "Northwind platform"
        assert len(screen.query_one("#members", ReviewList).keys) == 1


async def test_home_drops_a_rating_from_an_earlier_load(tmp_path: Path) -> None:
    app, engagement, _ = engagement_workspace(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        home = app.screen
        assert isinstance(home, HomeScreen)
        await settle(pilot, lambda: home.engagements[0].status not in ("…", "red"))
        await app.workers.wait_for_complete()
        status = home.engagements[0].status
        home.post_message(HomeScreen.Rated(0, {engagement: ("close", "red")}))
        home.reload()
        await app.workers.wait_for_complete()
        await settle(pilot, lambda: home.engagements[0].status == status)
        await pilot.pause()
        assert home.engagements[0].status == status and home.engagements[0].stage != "close"


async def test_an_engagement_that_cannot_be_read_fails_its_worker_not_the_app(
    tmp_path: Path,
) -> None:
    """The engagement file became a FIFO: the load worker fails; the app's one handler
    names what failed and why, the screen says so, and the app still answers keys."""
    app, engagement, _ = engagement_workspace(tmp_path)
    path = app.store.home / "engagements" / f"{engagement}.json"
    messages: list[Message] = []
    with unblocking(path):
        async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
            await pilot.pause()
            path.unlink()
            os.mkfifo(path)
            app.push_screen(EngagementScreen(engagement))
            await settle(pilot, lambda: bool(notes(messages)))
            ((title, message, severity),) = set(notes(messages))
            assert title == "Loading the engagement failed" and severity == "error"
            assert message.startswith(
                f"engagement {engagement} cannot be read (not a regular file (a FIFO))"
            )
            await settle(pilot, lambda: summary_of(app).startswith("Cannot open engagement"))
            await pilot.press("escape")
            await settle(pilot, lambda: isinstance(app.screen, HomeScreen))
            assert app.is_running


async def test_starting_a_review_writes_in_a_worker_and_a_failure_is_named(
    tmp_path: Path,
) -> None:
    """`n` on an engagement whose file turned into a folder after it was shown: the
    writing worker fails, the app says what and why, and no review was written."""
    app, engagement, _ = engagement_workspace(tmp_path)
    path = app.store.home / "engagements" / f"{engagement}.json"
    before = sorted(p.name for p in app.store.reviews_dir.iterdir())
    messages: list[Message] = []
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        await pilot.pause()
        app.push_screen(EngagementScreen(engagement))
        await settle(pilot, lambda: isinstance(app.screen, EngagementScreen))
        screen = app.screen
        assert isinstance(screen, EngagementScreen)
        await settle(pilot, lambda: bool(screen.view))
        path.unlink()
        path.mkdir()
        await pilot.press("n")
        await settle(pilot, lambda: type(app.screen).__name__ == "PickOption")
        await pilot.press("enter")  # the next stage, preselected
        await settle(pilot, lambda: type(app.screen).__name__ == "TextPrompt")
        await pilot.press("enter")  # the proposed title
        await settle(pilot, lambda: bool(notes(messages)))
        ((title, message, severity),) = set(notes(messages))
        assert title == "Starting the review failed" and severity == "error"
        assert f"engagement {engagement} cannot be read (not a regular file (a folder))" in (
            message
        )
        assert app.screen is screen and app.is_running
    assert sorted(p.name for p in app.store.reviews_dir.iterdir()) == before


async def test_a_new_engagement_is_written_in_a_worker_then_opened(tmp_path: Path) -> None:
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    async with app.run_test(size=(120, 40)) as pilot:
        home = app.screen
        await pilot.pause()
        await pilot.press("e")
        await settle(pilot, lambda: type(app.screen).__name__ == "TextPrompt")
        await pilot.press(*"Acme data", "enter")
        await settle(pilot, lambda: type(app.screen).__name__ == "TextPrompt")
        await pilot.press(*"Acme", "enter")
        await settle(pilot, lambda: isinstance(app.screen, EngagementScreen))
        screen = app.screen
        assert isinstance(screen, EngagementScreen)
        await settle(pilot, lambda: bool(screen.view))
        assert "Acme" in summary_of(app)
        (made,) = EngagementStore(app.store).engagements()
        assert (made.title, made.customer, made.id) == ("Acme data", "Acme", screen.engagement_id)
        await pilot.press("escape")
        assert isinstance(home, HomeScreen)
        await settle(pilot, lambda: app.screen is home and bool(home.engagements))
        assert [row.id for row in home.engagements] == [made.id]


async def test_a_new_engagement_that_cannot_be_written_is_named(tmp_path: Path) -> None:
    """The workspace's `engagements` is a file, not a folder: the writing worker fails
    with the reason, the app stays on the home screen."""
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    app.store.home.mkdir(parents=True, exist_ok=True)
    (app.store.home / "engagements").write_text("in the way", encoding="utf-8")
    messages: list[Message] = []
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await settle(pilot, lambda: type(app.screen).__name__ == "TextPrompt")
        await pilot.press(*"Acme data", "enter")
        await settle(pilot, lambda: type(app.screen).__name__ == "TextPrompt")
        await pilot.press("enter")
        await settle(pilot, lambda: bool(notes(messages)))
        ((title, message, severity),) = set(notes(messages))
        assert title == "Starting the engagement failed" and severity == "error"
        assert message.startswith(f"not saved: File exists ({app.store.home / 'engagements'})")
        assert isinstance(app.screen, HomeScreen) and app.is_running
