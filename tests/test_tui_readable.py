"""Readable at 80x24 without colour, and the register at call speed (issue 34): the
cursor row of every list shows, a checkbox is drawn once, table columns fit (dates
whole, every column shown), a filled field keeps its label, gates say what is open,
rows are selected with space and set together, carried rows say where they began."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select

from gatebook.engine.gates import GateStatus
from gatebook.tui.screens.engagement import EngagementScreen
from gatebook.tui.screens.records import BulkRiskDialog
from gatebook.tui.screens.review import ReviewScreen
from gatebook.tui.screens.summary import SummaryScreen
from gatebook.tui.widgets.answer_table import column_widths
from gatebook.tui.widgets.live_panel import gate_state
from gatebook.tui.widgets.register_rows import RowHeading

from .readable_support import engagement_run, screen_text
from .tui_support import until

pytestmark = pytest.mark.usefixtures("no_color")


# ---- gates, checkboxes, tables ------------------------------------------------------


async def open_summary(pilot: Pilot[Any]) -> None:
    """From the review the run opened, F8 to its summary."""
    await until(pilot, lambda: isinstance(pilot.app.screen, ReviewScreen))
    await pilot.press("f8")
    await until(pilot, lambda: isinstance(pilot.app.screen, SummaryScreen))


def test_gates_say_how_many_items_are_open_and_not_applicable() -> None:
    def gate(met: int, total: int) -> GateStatus:
        return GateStatus("g", "Pre-Implementation Review", met, total, ())

    assert gate_state(gate(1, 5)) == "4 of 5 items open"
    assert gate_state(gate(5, 5)) == "passed (5 of 5 items met)"
    assert gate_state(gate(0, 0)) == "not applicable"  # every item N/A: not "0/0 open"


def test_short_columns_keep_their_longest_value_and_text_columns_wrap() -> None:
    kinds = ["text", "text", "date", "choice"]
    cells = [
        ["Action", "Owner", "Due", "Stance"],
        ["Partner staffing for phase two", "Partner lead of Acme", "2027-01-31", "champion"],
    ]
    widths = column_widths(kinds, cells, room=50)
    assert widths[2] == len("2027-01-31") and widths[3] == len("champion")  # whole
    assert sum(widths) + 2 * len(widths) <= 50  # the row fits: every column shows
    assert column_widths(kinds, cells, room=200) == [30, 20, 10, 8]  # room: as wide as needed


async def test_the_stakeholder_map_shows_every_column_and_checkboxes_once_at_80x24(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = engagement_run(tmp_path / "ws", monkeypatch)
    run.app.open_review_id = run.s2d
    async with run.app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(pilot.app.screen, ReviewScreen))
        screen = pilot.app.screen
        screen.goto("stakeholder_map")  # type: ignore[attr-defined]
        await pilot.pause()
        text = screen_text(pilot.app)
        for heading in ("Name", "Role", "Decision maker", "Stance", "Contact"):
            assert heading in text, text
        assert "champion" in text and "skeptic" in text
        screen.goto("s2d_objectives")  # type: ignore[attr-defined]
        await pilot.pause()
        text = screen_text(pilot.app)
        assert "[ ] Seamless customer experience" in text
        assert "▐" not in text and "X▌" not in text  # one checkbox per option


async def test_a_date_column_shows_whole_after_a_row_is_added(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = engagement_run(tmp_path / "ws", monkeypatch)
    run.app.open_review_id = run.dqi
    async with run.app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(pilot.app.screen, ReviewScreen))
        pilot.app.screen.goto("back_to_green_actions")  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.press("a", *"Partner", "tab", *"Partner", "tab", *"2027-01-31", "ctrl+s")
        await pilot.pause()
        text = screen_text(pilot.app)
        assert "Partner  Partner  2027-01-31" in text, text  # not `Partne Partn 202`


# ---- cursor rows ---------------------------------------------------------------------


async def test_the_cursor_row_of_home_and_engagement_lists_is_marked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = engagement_run(tmp_path / "ws", monkeypatch)
    async with run.app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: "Acme data platform" in screen_text(pilot.app))
        lines = screen_text(pilot.app).splitlines()
        marked = [line for line in lines if line.startswith("▶")]
        assert len(marked) == 1 and "Acme data platform" in marked[0]
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, EngagementScreen))
        screen = pilot.app.screen
        await until(pilot, lambda: screen.view is not None)  # type: ignore[attr-defined]
        await pilot.press("down")
        await pilot.pause()
        marked = [line for line in screen_text(pilot.app).splitlines() if "▶" in line]
        assert len(marked) == 1 and "Acme PESA" in marked[0]
        assert f"from {run.oqr}" in screen_text(pilot.app)  # the first review, not the PESA
        assert "←" not in screen_text(pilot.app)


# ---- the summary's register ------------------------------------------------------------


async def test_a_filled_field_keeps_its_label_and_shows_the_start_of_its_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = engagement_run(tmp_path / "ws", monkeypatch)
    run.app.open_review_id = run.dqi
    long_text = "Phase the delivery " + "and review each phase with the customer " * 3 + "END"
    async with run.app.run_test(size=(80, 24)) as pilot:
        await open_summary(pilot)
        focused = pilot.app.focused
        assert isinstance(focused, Input) and focused.id is not None
        focused.value = long_text
        await pilot.press("tab")
        await pilot.pause()
        shown = screen_text(pilot.app).splitlines()
        line = next(text for text in shown if "Phase the delivery" in text)
        assert line.strip().startswith("Mitigation") and "END" not in line


async def test_select_rows_with_space_and_set_status_and_owner_for_all_in_one_dialog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = engagement_run(tmp_path / "ws", monkeypatch)
    run.app.open_review_id = run.dqi
    async with run.app.run_test(size=(80, 24)) as pilot:
        await open_summary(pilot)
        summary = pilot.app.screen
        rows = [row.id for row in summary.session.result.register]  # type: ignore[attr-defined]
        assert len(rows) >= 3
        await pilot.press("up")  # from the first mitigation to its row's heading
        assert isinstance(pilot.app.focused, RowHeading)
        await pilot.press("space", "down", "down", "space")
        text = screen_text(pilot.app)
        assert text.count("[x]") == 2, text
        assert f"from {run.oqr}" in text
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(pilot.app.screen, BulkRiskDialog))
        dialog = pilot.app.screen
        dialog.query_one("#bulk-status", Select).value = "mitigated"
        dialog.query_one("#bulk-owner", Input).value = "Ana Lima"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(pilot.app.screen, SummaryScreen))
        review_screen = next(s for s in pilot.app.screen_stack if isinstance(s, ReviewScreen))
        assert review_screen.flush()
        # a row marked mitigated says so, not that it needs mitigation (high: what
        # sign-off still reads); the row left open still asks for both
        await pilot.pause()
        heads = {h.row_id: str(h.render()) for h in pilot.app.screen.query(RowHeading)}
        for row_id in (rows[0], rows[2]):
            assert "[mitigated; owner Ana Lima" in heads[row_id], heads[row_id]
            assert "needs mitigation" not in heads[row_id], heads[row_id]
        assert "· needs mitigation + contingency]" in heads[rows[1]], heads[rows[1]]
    review = run.app.store.get(run.dqi)
    chosen = [rows[0], rows[2]]
    for row_id in chosen:
        row = review.risk_register[row_id]
        assert (row.status, row.owner) == ("mitigated", "Ana Lima")
        assert row.origin is not None and row.origin.startswith(f"{run.s2d}/")  # unchanged
    assert review.risk_register[rows[1]].status == "open"
    entries = [e for e in review.history if e.kind == "risk"]
    assert sorted(e.key for e in entries) == sorted(chosen)  # one entry per row changed


async def test_a_selection_set_to_what_it_is_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = engagement_run(tmp_path / "ws", monkeypatch)
    run.app.open_review_id = run.dqi
    async with run.app.run_test(size=(80, 24)) as pilot:
        await open_summary(pilot)
        await pilot.press("up", "a", "f6")
        await until(pilot, lambda: isinstance(pilot.app.screen, BulkRiskDialog))
        await pilot.press("ctrl+s")  # nothing chosen: refused in the dialog
        await pilot.pause()
        assert isinstance(pilot.app.screen, BulkRiskDialog)
        pilot.app.screen.query_one("#bulk-status", Select).value = "open"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(pilot.app.screen, SummaryScreen))
        assert "[x]" not in screen_text(pilot.app)  # the selection is cleared
    assert not [e for e in run.app.store.get(run.dqi).history if e.kind == "risk"]


async def test_the_summary_lists_the_s2d_known_issues_beside_the_carried_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = engagement_run(tmp_path / "ws", monkeypatch)
    run.app.open_review_id = run.s2d
    async with run.app.run_test(size=(80, 24)) as pilot:
        await open_summary(pilot)
        known = pilot.app.screen.blocks()["summary-known"]  # type: ignore[attr-defined]
    assert "Known issues and risks" in known and "carried from earlier stages" in known
    assert "Partner staffing open" in known


async def test_a_filled_dialog_field_keeps_its_label(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = engagement_run(tmp_path / "ws", monkeypatch)
    run.app.open_review_id = run.dqi
    async with run.app.run_test(size=(80, 24)) as pilot:
        await open_summary(pilot)
        await pilot.press("f6")
        await until(pilot, lambda: not isinstance(pilot.app.screen, SummaryScreen))
        pilot.app.screen.query_one("#risk-owner", Input).value = "Ana Lima"
        await pilot.pause()
        line = next(text for text in screen_text(pilot.app).splitlines() if "Ana Lima" in text)
        assert "Owner" in line.split("Ana Lima")[0]


async def test_keys_typed_as_the_summary_opens_land_in_a_mitigation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Row headings take `space` and `a` as selection keys: the summary starts on a
    mitigation (its AUTO_FOCUS), not on a heading, or keys typed on arrival in a loaded
    terminal, before the first open row takes the focus, are lost (seen in tmux)."""
    run = engagement_run(tmp_path / "ws", monkeypatch)
    run.app.open_review_id = run.dqi
    async with run.app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(pilot.app.screen, ReviewScreen))
        await pilot.press("f8", *"Stage it")
        await until(pilot, lambda: isinstance(pilot.app.screen, SummaryScreen))
        summary = pilot.app.screen
        assert summary.AUTO_FOCUS is not None
        first = summary.query(summary.AUTO_FOCUS).first()
        assert isinstance(first, Input) and first.id is not None
        assert first.id.startswith("mitigation-")
        register = summary.session.result.register  # type: ignore[attr-defined]
        assert [row.mitigation for row in register if row.mitigation] == ["Stage it"]


async def test_the_review_focuses_its_question_first_never_the_hidden_section_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why the NO_COLOR review snapshot flipped: Textual's auto focus took the section
    list at compose, the 80-column breakpoint hid it (focus: nothing), and only then did
    the question take the focus; a picture in between had no focus bar. Every focus the
    review screen is given is recorded, from the first."""
    from textual.screen import Screen

    run = engagement_run(tmp_path / "ws", monkeypatch)
    run.app.open_review_id = run.s2d
    given: list[str | None] = []
    set_focus = Screen.set_focus

    def record(screen: Screen[Any], widget: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(screen, ReviewScreen):
            given.append(getattr(widget, "id", None))
        set_focus(screen, widget, *args, **kwargs)

    monkeypatch.setattr(Screen, "set_focus", record)
    async with run.app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(pilot.app.screen, ReviewScreen))
        screen = pilot.app.screen
        assert isinstance(screen, ReviewScreen)
        await until(pilot, lambda: not screen.form.focus_pending)
        assert given and given[0] == "editor-s2d_objectives"
        assert "sections" not in given and None not in given


async def test_messages_naming_a_command_name_the_on_screen_way_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """F11 with no conflict named only `gatebook conflicts`; it now says what to look
    for on screen first. F7 with no milestone named only `gatebook milestone`; it now
    offers to take one on screen (today's date unless renamed), and F7 then marks the
    answers changed since it."""
    from gatebook.milestone.store import MilestoneStore
    from gatebook.tui.screens.modals import TextPrompt

    run = engagement_run(tmp_path / "ws", monkeypatch)
    run.app.open_review_id = run.oqr
    async with run.app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(pilot.app.screen, ReviewScreen))
        await pilot.press("f11")
        await until(pilot, lambda: len(pilot.app._notifications) >= 1)
        await pilot.press("f7")
        await until(pilot, lambda: isinstance(pilot.app.screen, TextPrompt))
        prompt = pilot.app.screen
        assert isinstance(prompt, TextPrompt)
        assert prompt.prompt_title.startswith("No milestone yet")
        assert "m on an engagement's screen" in prompt.prompt_title
        name = prompt.value
        await pilot.press("enter")
        store = MilestoneStore(run.app.store)
        await until(pilot, lambda: store.latest(run.oqr) is not None)
        await until(pilot, lambda: any("taken" in str(n.message) for n in pilot.app._notifications))
        await pilot.press("f7")
        await until(
            pilot, lambda: any("Marked" in str(n.message) for n in pilot.app._notifications)
        )
        toasts = [str(n.message) for n in pilot.app._notifications]
    latest = store.latest(run.oqr)
    assert latest is not None and latest["name"] == name
    assert f"Milestone {name} taken: F7 now marks the answers changed since it." in toasts
    assert f"Marked: answers changed since milestone {name} (F7 hides)." in toasts
    conflict = next(t for t in toasts if t.startswith("No merge conflict"))
    assert "⚠ merge conflict" in conflict and "home lists" in conflict


async def test_the_highlighted_option_of_a_list_shows_without_colour(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found on the walk: under NO_COLOR the stage picker's recommended option, a
    multichoice's highlighted option and a Select's open list showed no cursor at all
    (Textual's option lists drop `reverse`); the highlighted one is underlined and bold,
    the others are not."""
    from textual.widgets import OptionList

    from gatebook.tui.screens.modals import PickOption
    from gatebook.tui.widgets.quick_select import QuickSelectionList

    def styled(lines: OptionList, y: int) -> tuple[bool, bool]:
        style = next(iter(lines.render_line(y))).style
        assert style is not None
        return bool(style.underline), bool(style.bold)

    run = engagement_run(tmp_path / "ws", monkeypatch)
    run.app.open_review_id = run.oqr
    async with run.app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(pilot.app.screen, ReviewScreen))
        screen = pilot.app.screen
        assert isinstance(screen, ReviewScreen)
        screen.goto("regulated_data")
        await until(pilot, lambda: isinstance(pilot.app.focused, QuickSelectionList))
        options = pilot.app.focused
        assert isinstance(options, QuickSelectionList) and options.highlighted == 0
        assert styled(options, 0) == (True, True) and styled(options, 1) == (False, False)
        pilot.app.push_screen(
            PickOption("Start a stage", [("a", "oqr"), ("b", "pesa")], highlighted=1)
        )
        await until(pilot, lambda: isinstance(pilot.app.screen, PickOption))
        picker = pilot.app.screen.query_one(OptionList)
        await until(pilot, lambda: picker.highlighted == 1)
        assert styled(picker, 1) == (True, True) and styled(picker, 0) == (False, False)


async def test_the_outcome_dialog_offers_no_blank_entry_beside_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found on the walk: the CBO list began with Textual's blank `Select` and then
    `(none)`: two empty choices, and picking the first left the field reading `Select`."""
    from textual.widgets._select import SelectOverlay

    from gatebook.store.model import OUTCOME_CBOS, OUTCOME_STATUSES
    from gatebook.tui.screens.outcome_dialogs import OutcomeDialog

    run = engagement_run(tmp_path / "ws", monkeypatch)
    run.app.open_review_id = run.oqr
    async with run.app.run_test(size=(80, 24)) as pilot:
        await open_summary(pilot)
        await pilot.press("f3")  # no outcome yet: the add dialog
        await until(pilot, lambda: isinstance(pilot.app.screen, OutcomeDialog))
        dialog = pilot.app.screen
        cbo = dialog.query_one("#outcome-cbo", Select)
        status = dialog.query_one("#outcome-status", Select)
        assert cbo.query_one(SelectOverlay).option_count == 1 + len(OUTCOME_CBOS)
        assert status.query_one(SelectOverlay).option_count == len(OUTCOME_STATUSES)


def test_a_register_row_says_what_it_still_asks_by_its_status() -> None:
    """Open or mitigating: needs mitigation and contingency; marked mitigated, accepted
    or resolved: its status leads and nothing is asked, but for a high row the written
    mitigation and contingency sign-off reads; addressed: addressed."""
    from gatebook.engine.register import RegisterRow
    from gatebook.tui.widgets.register_rows import row_text

    def row(status: str, severity: str = "high", *, written: bool = False) -> str:
        made = RegisterRow(
            id="r", flag=None, title="Staff churn", severity=severity, category="delivery",
            why="", likelihood=None, impact=None, mitigation="Bench" if written else "",
            contingency="Backfill" if written else "", owner="", due=None, status=status,
        )  # fmt: skip
        return row_text(made).splitlines()[1].strip()

    assert row("open") == "[open · needs mitigation + contingency]"
    assert row("mitigating", "medium") == "[mitigating · needs mitigation + contingency]"
    assert row("mitigated") == "[mitigated · to sign: write mitigation + contingency]"
    assert row("accepted", "medium") == "[accepted]"
    assert row("mitigated", "low") == "[mitigated]"
    assert row("resolved") == "[resolved]"
    assert row("mitigated", written=True) == "[mitigated · addressed]"
