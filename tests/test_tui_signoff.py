"""The sign-off dialog remembers and explains: it fills in the name and key last used
since the app started, shows what blocks each decision before ctrl+s (the checks
`gatebook signoff` refuses with), asks for an override reason only when the chosen
decision needs one, and names its own fields, never a command-line option."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path
from typing import Any

import pytest
from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from gatebook.plan.signoff import SignoffRefused, make_signoff
from gatebook.tui.app import GatebookApp
from gatebook.tui.screens.plan import SignoffDialog
from gatebook.tui.screens.review import ReviewScreen
from gatebook.tui.screens.summary import SummaryScreen
from gatebook.tui.widgets.bounded_text import BoundedText

from .test_register import CUSTOM
from .tui_support import deterministic_app

READY = {"partners": 0, "doc": "Three tiers", "quality": 3, "ticks": ["documented"]}
"""Everything the custom `deal` questionnaire asks; quality 3 scores 75 of a target 90."""


async def until(pilot: Pilot[Any], condition: Any, tries: int = 500) -> None:
    for _ in range(tries):
        await pilot.pause()
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("never happened")


def deal_app(tmp_path: Path) -> GatebookApp:
    home = tmp_path / "ws"
    (home / "questionnaires").mkdir(parents=True)
    (home / "questionnaires" / "deal.yaml").write_text(CUSTOM)
    return deterministic_app(home, offer_demo=False)


def deal(app: GatebookApp, title: str, tcv: int) -> str:
    questionnaire = app.catalog.resolve("deal")
    return app.store.create(questionnaire, title, answers={**READY, "tcv": tcv}).id


async def open_dialog(pilot: Pilot[Any], app: GatebookApp, review_id: str) -> SignoffDialog:
    while len(app.screen_stack) > 1:
        await app.pop_screen()
    app.open_review(review_id)
    await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
    await pilot.press("f8")
    await until(pilot, lambda: isinstance(app.screen, SummaryScreen))
    await pilot.press("f10")
    await until(pilot, lambda: isinstance(app.screen, SignoffDialog))
    dialog = app.screen
    assert isinstance(dialog, SignoffDialog)
    return dialog


def text(dialog: SignoffDialog, selector: str) -> str:
    return str(dialog.query_one(selector, Static).render())


def cli_refusal(app: GatebookApp, review_id: str, decision: str, comment: str = "") -> str:
    review = app.store.get(review_id)
    with pytest.raises(SignoffRefused) as refused:
        make_signoff(
            review,
            app.store.questionnaire_for(review),
            role="lead",
            name="Ana",
            decision=decision,
            comment=comment,
            time="2026-11-24T09:00:00Z",
        )
    return str(refused.value)


async def test_the_dialog_says_what_blocks_each_decision_before_ctrl_s(tmp_path: Path) -> None:
    app = deal_app(tmp_path)
    below = deal(app, "Below target", 1_000_000)
    blocked = deal(app, "Big and unaddressed", 6_000_000)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot, app, below)
        checks = text(dialog, "#signoff-checks")
        assert "approved: overall 75 is below the target 90 — needs an override reason" in checks
        assert "approved-with-conditions: overall 75 is below the target 90 — needs the " in checks
        assert "rejected: nothing blocks it" in checks
        assert "overall 75 is below the target 90" in cli_refusal(app, below, "approved")
        override = dialog.query_one("#signoff-override", Input)
        assert override.display  # approved needs one
        dialog.query_one("#signoff-role", Select).value = "lead"
        dialog.query_one("#signoff-decision", Select).value = "approved-with-conditions"
        await until(pilot, lambda: not override.display)  # a comment lifts it, not a reason
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SignoffDialog)  # refused: the conditions are missing
        error = text(dialog, "#signoff-error")
        assert "Comment field" in error and "--" not in error
        assert "--comment" in cli_refusal(app, below, "approved-with-conditions")
        dialog.query_one("#signoff-comment", Input).value = "Raise the plan to 4"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen))
        signoff = app.store.get(below).signoffs[-1]
        assert (signoff.decision, signoff.override) == ("approved-with-conditions", None)

        dialog = await open_dialog(pilot, app, blocked)
        checks = text(dialog, "#signoff-checks")
        for decision in ("approved", "approved-with-conditions"):
            line = next(x for x in checks.splitlines() if x.strip().startswith(f"{decision}:"))
            assert "high risks without a mitigation and a contingency" in line
            assert line.endswith("needs an override reason")
        assert "rejected: nothing blocks it" in checks
        dialog.query_one("#signoff-role", Select).value = "lead"
        dialog.query_one("#signoff-decision", Select).value = "approved-with-conditions"
        override = dialog.query_one("#signoff-override", Input)
        await until(pilot, lambda: override.display)  # the high risk needs a reason
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = text(dialog, "#signoff-error")
        assert "Override reason" in error and "--override" not in error
        assert "--override REASON" in cli_refusal(app, blocked, "approved-with-conditions")
        dialog.query_one("#signoff-decision", Select).value = "rejected"
        await until(pilot, lambda: not override.display)
        override.value = "typed before switching"  # hidden: not recorded
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen))
        signoff = app.store.get(blocked).signoffs[-1]
        assert (signoff.decision, signoff.override) == ("rejected", None)


async def test_an_escalation_due_names_f4_not_the_command(tmp_path: Path) -> None:
    app = deal_app(tmp_path)
    huge = deal(app, "Huge", 60_000_000)  # the `huge` escalation, no decision recorded
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot, app, huge)
        checks = text(dialog, "#signoff-checks")
        assert "escalation required and no decision recorded" in checks
        assert "F4" in checks and "gatebook escalate" not in checks
    assert "gatebook escalate REVIEW" in cli_refusal(app, huge, "approved")


async def test_the_dialog_remembers_name_and_key_between_roles_and_reviews(
    tmp_path: Path,
) -> None:
    key = tmp_path / "id_ed25519"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ana", "-f", str(key)], check=True
    )
    app = deal_app(tmp_path)
    first = deal(app, "First", 1_000_000)
    second = deal(app, "Second", 1_000_000)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot, app, first)
        assert dialog.query_one("#signoff-name", Input).value == "tester"  # the user, at first
        dialog.query_one("#signoff-role", Select).value = "lead"
        dialog.query_one("#signoff-name", Input).value = "Ana Lima"
        dialog.query_one("#signoff-key", Input).value = str(key)
        dialog.query_one("#signoff-decision", Select).value = "rejected"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen))
        assert app.store.get(first).signoffs[-1].signature  # signed with the real key
        for review_id in (first, second):  # the same review again, then another one
            dialog = await open_dialog(pilot, app, review_id)
            assert dialog.query_one("#signoff-name", Input).value == "Ana Lima"
            assert dialog.query_one("#signoff-key", Input).value == str(key)
            await pilot.press("escape")


async def test_starting_a_stage_early_asks_why_on_screen_not_for_a_flag(tmp_path: Path) -> None:
    """The stage gate's toast named `--override REASON`; the app asks in a prompt."""
    from gatebook.engagement.members import add_member
    from gatebook.engagement.store import EngagementStore
    from gatebook.tui.screens.engagement import EngagementScreen
    from gatebook.tui.screens.modals import TextPrompt

    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    engagements = EngagementStore(app.store)
    engagement = engagements.create("Acme", start="2026-01-05", shared={}).id
    oqr = app.store.create(app.catalog.resolve("oqr"), "Acme OQR")  # not signed
    add_member(app.store, engagement, oqr.id)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = EngagementScreen(engagement)
        await app.push_screen(screen)
        await until(pilot, lambda: screen.view is not None)
        screen.create("s2d", "Acme S2D")  # what `n` then a title starts
        await until(pilot, lambda: isinstance(app.screen, TextPrompt))
        toasts = [str(n.message) for n in app._notifications]
        assert any("expects a signed OQR" in t and "the prompt records why" in t for t in toasts)
        assert not any("--override" in t for t in toasts)
        await pilot.press(*"OQR signed on paper", "enter")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen) or app.screen.is_modal)
        await until(pilot, lambda: bool(engagements.get(engagement).overrides))
        (override,) = engagements.get(engagement).overrides
        assert (override.stage, override.reason) == ("handover", "OQR signed on paper")


async def test_the_dialog_offers_a_role_still_to_sign_and_labels_its_fields(
    tmp_path: Path,
) -> None:
    """Found on the walk (issue 34): the role list opened on a role that had signed
    already, and the filled name (`root`) stood with no label."""
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    review = app.store.create(app.catalog.resolve("oqr"), "Three roles").id
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot, app, review)
        first = dialog.query_one("#signoff-role", Select).value
        labels = [str(label.render()) for label in dialog.query("Label")]
        assert {"Role", "Name", "Decision", "Comment", "SSH key"} <= set(labels)
        dialog.query_one("#signoff-decision", Select).value = "rejected"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen))
        assert app.store.get(review).signoffs[-1].role == first
        dialog = await open_dialog(pilot, app, review)
        role = dialog.query_one("#signoff-role", Select)
        assert role.value != first  # the next role still to sign
        assert any("(signed)" in str(prompt) for prompt, _ in role._options)


# ---- the whole dialog on an 80x24 screen (issue 34's closing note) --------------------

CONTROLS = [
    "#signoff-role",
    "#signoff-name",
    "#signoff-decision",
    "#signoff-comment",
    "#signoff-override",
    "#signoff-key",
    "#signoff-sign",
]


def assert_on_screen(dialog: SignoffDialog, *selectors: str) -> None:
    """Each widget is laid out inside the 80x24 screen, drawn where it is (nothing over
    it), and the dialog itself is not scrolled: nothing is below the fold."""
    screen = Region(0, 0, 80, 24)
    scroll = dialog.query_one(".dialog", VerticalScroll)
    assert scroll.max_scroll_y == 0, "the dialog scrolls: something is below the fold"
    for selector in selectors:
        widget = dialog.query_one(selector)
        region = widget.region
        assert region.height > 0 and screen.contains_region(region), (selector, region)
        hit, _ = dialog.get_widget_at(region.x + region.width // 2, region.y)
        assert hit is widget or widget in hit.ancestors_with_self, (selector, hit)


@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "no_color"])
async def test_every_control_is_on_an_80x24_screen_with_many_blockers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_color: bool
) -> None:
    """The demo OQR: 10 answers missing, 8 high risks, a gate, an escalation, a partial
    score. The list of blockers runs to some 20 lines at 80 columns; it scrolls in a few
    rows, says how many are hidden, and every field and the button stay in view."""
    from gatebook.demo import DEMO_ANSWERS, DEMO_TITLE

    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    demo = app.store.create(app.catalog.resolve("oqr"), DEMO_TITLE, answers=DEMO_ANSWERS).id
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot, app, demo)
        blockers = dialog.query_one("#signoff-blockers", BoundedText)
        more = blockers.query_one(".bounded-text--more", Static)
        await until(pilot, lambda: "more lines below" in str(more.render()))
        assert dialog.query_one("#signoff-override", Input).display  # approved needs one
        assert_on_screen(dialog, *CONTROLS, "#signoff-blockers", ".bounded-text--more")
        above, below = blockers.hidden()
        assert above == 0 and below > 5
        assert str(more.render()) == f"▼ {below} more lines below: tab to it, then ↓ scrolls"
        assert "rejected: nothing blocks it" in text(dialog, "#signoff-checks")  # all of it

        # tab, in order: role, name, decision, comment, override, key, the list, the button
        await pilot.press("tab", "tab", "tab", "tab")
        assert app.focused is dialog.query_one("#signoff-override")  # the walk's tab x4
        await pilot.press("tab", "tab")
        assert app.focused is blockers.scroller
        await until(pilot, lambda: "↓ or pgdn scrolls" in str(more.render()))
        await pilot.press("end")
        await until(pilot, lambda: blockers.hidden() == (below, 0))
        assert str(more.render()) == f"▲ {below} more lines above: ↑ or pgup scrolls"
        await pilot.press("tab")
        assert app.focused is dialog.query_one("#signoff-sign")

        await pilot.press("ctrl+s")  # refused: the reason takes the list's place
        await until(pilot, lambda: "Override reason" in text(dialog, "#signoff-error"))
        assert isinstance(app.screen, SignoffDialog)
        assert not blockers.display
        assert_on_screen(dialog, *CONTROLS, "#signoff-refusal")
        dialog.query_one("#signoff-decision", Select).value = "rejected"
        await until(pilot, lambda: bool(blockers.display))  # a new decision: the list again
        assert not dialog.query_one("#signoff-override-field").display
        assert_on_screen(dialog, *CONTROLS[:4], *CONTROLS[5:], "#signoff-blockers")


async def test_a_short_list_takes_no_tab_stop_and_says_nothing_hidden(tmp_path: Path) -> None:
    app = deal_app(tmp_path)
    below = deal(app, "Below target", 1_000_000)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot, app, below)
        blockers = dialog.query_one("#signoff-blockers", BoundedText)
        await until(pilot, lambda: blockers.scroller.region.height > 0)
        await pilot.pause()
        assert blockers.hidden() == (0, 0)
        assert not blockers.query_one(".bounded-text--more", Static).display
        assert_on_screen(dialog, *CONTROLS, "#signoff-blockers")
        dialog.query_one("#signoff-key", Input).focus()
        await pilot.press("tab")
        assert app.focused is dialog.query_one("#signoff-sign")  # past a list with no more
