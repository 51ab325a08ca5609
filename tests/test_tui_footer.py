"""The key bar at 80 columns (issue 34's last stop): every screen shows the keys that
matter most on it, in its order of importance, and ends with `f1 keys` when some are
left out; a dialog's bar shows the dialog's keys, not those of the screen under it.

The bar is read as drawn (`render_line`), with NO_COLOR set, in an 80x24 app."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.binding import Binding

from gatebook.tui.app import GatebookApp
from gatebook.tui.widgets.footer import (
    IMPORTANCE,
    REST_TEXT,
    Footer,
    ShownKey,
    fitted,
    keys_width,
    ranked,
)

from .readable_support import engagement_run
from .tui_support import until

pytestmark = pytest.mark.usefixtures("no_color")


def bar(app: GatebookApp) -> Footer:
    """The bar on view: the topmost screen's that has one (a dialog draws over the
    screen it opened from, whose bar stays at the bottom)."""
    return [s for s in app.screen_stack if s.query(Footer)][-1].query_one(Footer)


def bar_text(app: GatebookApp) -> str:
    return bar(app).render_line(0).text


REST = f"f1 {REST_TEXT}"

SCREENS: dict[str, tuple[str | None, list[tuple[str, str]], list[str], bool]] = {
    "home": (None, [], ["n New review", "e New engagement", "P Portfolio", "/ Filter"], True),
    "engagement": (
        None,
        [("enter", "EngagementScreen")],
        ["n Start a stage", "d Changes since", "m Milestone", "esc Home"],
        True,
    ),
    "stage picker": (
        None,
        [("enter", "EngagementScreen"), ("n", "PickOption")],
        ["esc Cancel"],
        False,
    ),
    "milestone prompt": (
        None,
        [("enter", "EngagementScreen"), ("m", "TextPrompt")],
        ["esc Cancel"],
        False,
    ),
    "portfolio": (None, [("P", "PortfolioScreen")], ["esc Home", "r Refresh", "f1 Help"], False),
    "review": (
        "oqr",
        [],
        ["f2 Note", "f3 N/A", "f4 Follow-up", "f8 Summary", "ctrl+n Next unanswered"],
        True,
    ),
    "help": ("oqr", [("f1", "HelpScreen")], ["esc Close help"], False),
    "summary": (
        "oqr",
        [("f8", "SummaryScreen")],
        ["f10 Sign off", "f7 Export plan", "f3 Outcomes", "f4 Escalation", "f5 Add risk"],
        True,
    ),
    "plan": (
        "oqr",
        [("f8", "SummaryScreen"), ("f7", "ExportScreen")],
        ["esc Back", "ctrl+s Write plan file", "f1 Help"],
        False,
    ),
    "sign-off dialog": (
        "oqr",
        [("f8", "SummaryScreen"), ("f10", "SignoffDialog")],
        ["esc Cancel", "ctrl+s Sign off"],
        False,
    ),
    "risk row dialog": (
        "oqr",
        [("f8", "SummaryScreen"), ("f6", "RiskRowDialog")],
        ["esc Cancel", "ctrl+s Save"],
        False,
    ),
    "add risk dialog": (
        "oqr",
        [("f8", "SummaryScreen"), ("f5", "AddRiskDialog")],
        ["esc Cancel", "ctrl+s Save"],
        False,
    ),
    "escalation dialog": (
        "oqr",
        [("f8", "SummaryScreen"), ("f4", "EscalationDialog")],
        ["esc Cancel", "ctrl+s Save"],
        False,
    ),
    "session dialog": (
        "oqr",
        [("f8", "SummaryScreen"), ("ctrl+o", "MeetingDialog")],
        ["esc Cancel", "ctrl+s Save"],
        False,
    ),
}
"""Screen -> (the member opened at start, (key, the screen it brings) pressed in turn,
the keys its bar must show at 80 columns, whether some are left out for `f1 keys`)."""


@pytest.mark.parametrize("name", list(SCREENS), ids=str)
async def test_each_screen_shows_its_essential_keys_at_80_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    run = engagement_run(tmp_path / "ws", monkeypatch)
    member, steps, essential, cut = SCREENS[name]
    if member is not None:
        run.app.open_review_id = getattr(run, member)
    start = "ReviewScreen" if member is not None else "HomeScreen"
    async with run.app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: type(pilot.app.screen).__name__ == start)
        for key, screen in steps:
            await pilot.press(key)
            await until(pilot, lambda screen=screen: type(pilot.app.screen).__name__ == screen)
        await until(pilot, lambda: all(key in bar_text(run.app) for key in essential))
        text = bar_text(run.app)
        assert len(text) == 80
        assert text.rstrip().endswith(REST) is cut, text
        if cut:  # the palette is left out with the rest: the help names it
            assert "palette" not in text
        for key in essential:
            assert f" {key} " in f"{text} ", (key, text)


async def test_a_dialog_shows_its_own_keys_and_the_screen_its_again_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = engagement_run(tmp_path / "ws", monkeypatch)
    run.app.open_review_id = run.oqr
    async with run.app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: type(pilot.app.screen).__name__ == "ReviewScreen")
        await pilot.press("f8")
        await until(pilot, lambda: "f10 Sign off" in bar_text(run.app))
        await pilot.press("f10")
        await until(pilot, lambda: "ctrl+s Sign off" in bar_text(run.app))
        assert "f10" not in bar_text(run.app) and "f7 Export plan" not in bar_text(run.app)
        await pilot.press("escape")
        await until(pilot, lambda: "f10 Sign off" in bar_text(run.app))
        assert "ctrl+s Sign off" not in bar_text(run.app)


async def test_a_click_on_f1_keys_opens_the_help(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = engagement_run(tmp_path / "ws", monkeypatch)
    async with run.app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: bar_text(run.app).rstrip().endswith(REST))
        x = bar_text(run.app).rindex(REST)
        assert bar(run.app).key_at(x) == "f1"
        await pilot.click(Footer, offset=(x, 0))
        await until(pilot, lambda: type(pilot.app.screen).__name__ == "HelpScreen")


def key(name: str, width: int = 10, binding_id: str | None = None) -> ShownKey:
    """A key drawn `width` columns wide (` k ` + the description and a space)."""
    return ShownKey(name, name, "d" * (width - len(name) - 3), True, binding_id or name)


def test_keys_are_shown_most_important_first_and_unranked_ones_after() -> None:
    keys = [key("a"), key("b"), key("c"), key("d")]
    assert [k.key for k in ranked(keys, ("c", "a"))] == ["c", "a", "b", "d"]
    assert [k.key for k in ranked(keys, ())] == ["a", "b", "c", "d"]


def test_every_key_and_the_palette_when_they_fit() -> None:
    keys = [key("a"), key("b"), key("f1", 9, "app.help")]
    palette = key("ctrl+p", 16)
    assert keys_width([*keys, palette]) == 45
    assert fitted(keys, palette, 45) == (keys, palette)


def test_when_they_do_not_fit_the_first_that_fit_then_the_help_key() -> None:
    keys = [key("a"), key("big", 30), key("b"), key("f1", 9, "app.help")]
    shown, rest = fitted(keys, key("ctrl+p", 16), 45)
    assert rest is not None and (rest.key, rest.description) == ("f1", REST_TEXT)
    assert [k.key for k in shown] == ["a"]  # `b` would fit, but comes after `big`
    shown, rest = fitted(keys, None, 54)
    assert [k.key for k in shown] == ["a", "big"] and rest is not None
    assert keys_width([*shown, rest]) <= 54


def test_the_importance_lists_name_bindings_of_their_screens() -> None:
    from gatebook.tui import keys as reference

    bindings = {
        type_name: {b.id for b in classes if isinstance(b, Binding)}
        for type_name, classes in (
            ("HomeScreen", reference.HomeScreen.BINDINGS),
            ("EngagementScreen", reference.EngagementScreen.BINDINGS),
            ("ReviewScreen", reference.ReviewScreen.BINDINGS),
            ("SummaryScreen", reference.SummaryScreen.BINDINGS),
        )
    }
    assert set(IMPORTANCE) == set(bindings)
    for screen, order in IMPORTANCE.items():
        assert set(order) <= bindings[screen], screen
        assert len(set(order)) == len(order)
