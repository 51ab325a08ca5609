"""The outcomes register on the summary (issue 33): beside the risk register, with the
same keys (F5 adds, F6 edits the focused row, space/a select and F6 sets status or
date for all), readable at 80x24 without colour, written through store.outcomes and
undoable, and the flags over it follow at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select

from gatebook.store.outcomes import add_outcome
from gatebook.tui.screens.outcome_dialogs import BulkOutcomeDialog, OutcomeDialog
from gatebook.tui.screens.records import AddRiskDialog, RiskRowDialog
from gatebook.tui.screens.review import ReviewScreen
from gatebook.tui.screens.summary import SummaryScreen
from gatebook.tui.widgets.footer import Footer
from gatebook.tui.widgets.outcome_rows import OutcomeRows
from gatebook.tui.widgets.register_rows import RowHeading

from .readable_support import engagement_run, screen_text
from .tui_support import deterministic_app, until

pytestmark = pytest.mark.usefixtures("no_color")


async def open_summary(pilot: Pilot[Any]) -> SummaryScreen:
    await until(pilot, lambda: isinstance(pilot.app.screen, ReviewScreen))
    await pilot.press("f8")
    await until(pilot, lambda: isinstance(pilot.app.screen, SummaryScreen))
    screen = pilot.app.screen
    assert isinstance(screen, SummaryScreen)
    return screen


def flush(pilot: Pilot[Any]) -> None:
    review_screen = next(s for s in pilot.app.screen_stack if isinstance(s, ReviewScreen))
    assert review_screen.flush()


def in_outcomes(pilot: Pilot[Any]) -> bool:
    focused = pilot.app.focused
    return isinstance(focused, RowHeading) and any(
        isinstance(a, OutcomeRows) for a in focused.ancestors
    )


async def test_add_edit_and_set_outcomes_from_the_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = engagement_run(tmp_path / "ws", monkeypatch)
    run.app.open_review_id = run.dqi
    async with run.app.run_test(size=(80, 24)) as pilot:
        summary = await open_summary(pilot)
        assert "Outcomes register (0)" in str(summary.blocks()["summary-outcomes-heading"])
        await pilot.press("f3")  # no outcome yet: straight to adding the first
        await until(pilot, lambda: isinstance(pilot.app.screen, OutcomeDialog))
        await pilot.press(*"Close in 3 days")
        dialog = pilot.app.screen
        dialog.query_one("#outcome-metric", Input).value = "days to close"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(pilot.app.screen, SummaryScreen))
        await until(pilot, lambda: in_outcomes(pilot))
        bar = summary.query_one(Footer)
        await until(pilot, lambda: "f5 Add outcome" in bar.render_line(0).text)
        assert "f3 Risks" in bar.render_line(0).text
        assert "Add risk" not in bar.render_line(0).text  # the key bar says what F5 does here
        await pilot.press("f5")  # in the outcomes register F5 adds an outcome, not a risk
        await until(pilot, lambda: isinstance(pilot.app.screen, OutcomeDialog))
        pilot.app.screen.query_one("#outcome-title", Input).value = "Fewer incidents"
        pilot.app.screen.query_one("#outcome-status", Select).value = "off_track"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(pilot.app.screen, SummaryScreen))
        assert "outcome_off_track" in {f.id for f in summary.session.result.flags}
        await until(pilot, lambda: in_outcomes(pilot))
        text = screen_text(pilot.app)
        assert "OFF TRACK Fewer incidents" in text, text
        # F6 on the focused outcome edits it; a bad date is refused in the dialog
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(pilot.app.screen, OutcomeDialog))
        status = pilot.app.screen.query_one("#outcome-status", Select)
        await until(pilot, lambda: status.has_focus)  # what an inspection changes, at once
        status.value = "on_track"
        pilot.app.screen.query_one("#outcome-by", Input).value = "next year"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(pilot.app.screen, OutcomeDialog)
        assert "By" in screen_text(pilot.app)
        pilot.app.screen.query_one("#outcome-by", Input).value = "2027-06-30"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(pilot.app.screen, SummaryScreen))
        assert "outcome_off_track" not in {f.id for f in summary.session.result.flags}
        # select both and set a status for all
        await until(pilot, lambda: in_outcomes(pilot))
        await pilot.press("a", "f6")
        await until(pilot, lambda: isinstance(pilot.app.screen, BulkOutcomeDialog))
        pilot.app.screen.query_one("#bulk-outcome-status", Select).value = "at_risk"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(pilot.app.screen, SummaryScreen))
        assert "outcome_at_risk" in {f.id for f in summary.session.result.flags}
        assert "[x]" not in screen_text(pilot.app)
        # F3 goes back to the risks, where F5 and F6 act on risks again
        await pilot.press("f3")
        await until(pilot, lambda: not in_outcomes(pilot))
        await pilot.press("f5")
        await until(pilot, lambda: isinstance(pilot.app.screen, AddRiskDialog))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(pilot.app.screen, SummaryScreen))
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(pilot.app.screen, RiskRowDialog))
        await pilot.press("escape")
        flush(pilot)
    review = run.app.store.get(run.dqi)
    rows = {row.title: row for row in review.outcomes.values()}
    assert rows["Close in 3 days"].metric == "days to close"
    assert rows["Fewer incidents"].by == "2027-06-30"
    assert {row.status for row in rows.values()} == {"at_risk"}
    kinds = [e.kind for e in review.history]
    assert kinds.count("outcome") >= 3  # the saver folds edits of one row in a row into one


async def test_a_questionnaire_without_outcomes_shows_no_register(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = engagement_run(tmp_path / "ws", monkeypatch)
    run.app.open_review_id = run.pesa
    async with run.app.run_test(size=(80, 24)) as pilot:
        summary = await open_summary(pilot)
        assert not summary.query(OutcomeRows)
        assert "Outcomes" not in screen_text(pilot.app)
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(pilot.app.screen, SummaryScreen)


async def test_outcome_rows_are_readable_at_80x24_without_colour(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = engagement_run(tmp_path / "ws", monkeypatch)
    store = run.app.store

    def add(review: Any) -> None:
        add_outcome(
            review,
            "Month-end close in three days, every month, across all twelve subsidiaries",
            cbo="efficiency",
            metric="days to close",
            baseline="10",
            target="3",
            by="2027-03-31",
            status="at_risk",
            evidence="April took 5 days",
        )

    store.modify(run.dqi, add)
    run.app.open_review_id = run.dqi
    async with run.app.run_test(size=(80, 24)) as pilot:
        await open_summary(pilot)
        await pilot.press("f3")
        await until(pilot, lambda: in_outcomes(pilot))
        text = screen_text(pilot.app)
        assert "[ ] AT RISK Month-end close in three days" in text, text
        assert "Operational efficiency; metric days to close; 10 -> 3; by 2027-03-31" in text
        assert "evidence: April took 5 days" in text
        assert max(len(line) for line in text.splitlines()) <= 80
        await pilot.press("space")
        assert "[x] AT RISK" in screen_text(pilot.app)


def whole_on_screen(pilot: Pilot[Any]) -> list[str]:
    """Each control of the open dialog that is cut by the screen or scrolled out of its
    dialog (empty: everything is there at once)."""
    screen = pilot.app.screen
    width, height = pilot.app.size
    cut = []
    for control in screen.query("Input, Select, Button"):
        region = control.region
        if region.height == 0 or region.y < 0 or region.bottom > height or region.right > width:
            cut.append(f"{control.id} at {region}")
    dialog = screen.query_one(".dialog")
    if dialog.max_scroll_y:
        cut.append(f"the dialog scrolls {dialog.max_scroll_y} lines")
    return cut


async def test_the_outcome_dialog_fits_80x24_and_names_the_cbos_as_the_s2d_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = engagement_run(tmp_path / "ws", monkeypatch)
    store = run.app.store

    def add(review: Any) -> None:
        add_outcome(review, "Close the books in three days", cbo="efficiency", metric="days")
        add_outcome(review, "Halve data-centre emissions", cbo="esg")

    store.modify(run.dqi, add)
    run.app.open_review_id = run.dqi
    async with run.app.run_test(size=(80, 24)) as pilot:
        await open_summary(pilot)
        await pilot.press("f3")
        await until(pilot, lambda: in_outcomes(pilot))
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(pilot.app.screen, OutcomeDialog))
        await pilot.pause()
        assert whole_on_screen(pilot) == []
        text = screen_text(pilot.app)
        assert "Outcome: Close the books in three days (outcome_" in text, text
        assert "Operational efficiency (efficiency)" in text, text
        cbo = pilot.app.screen.query_one("#outcome-cbo", Select)
        shown = [str(prompt) for prompt, _ in cbo._options]
        assert "Improved ESG performance (esg)" in shown
        assert "Reduced business risk (reduced_risk)" in shown
        # a refusal lands in view too, and Save stays on the screen
        pilot.app.screen.query_one("#outcome-by", Input).value = "soon"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "cannot read 'soon' as a date" in screen_text(pilot.app)
        assert whole_on_screen(pilot) == []
        # the CBO chosen by its label is stored as the id `--cbo` takes
        cbo.value = "revenue"
        pilot.app.screen.query_one("#outcome-by", Input).value = ""
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(pilot.app.screen, SummaryScreen))
        await pilot.press("escape")  # the summary back to the review, where a new one is added
        await until(pilot, lambda: isinstance(pilot.app.screen, ReviewScreen))
        await open_summary(pilot)
        await pilot.press("f3")
        await until(pilot, lambda: in_outcomes(pilot))
        await pilot.press("f5")
        await until(pilot, lambda: isinstance(pilot.app.screen, OutcomeDialog))
        await pilot.pause()
        assert whole_on_screen(pilot) == []
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(pilot.app.screen, SummaryScreen))
        await pilot.press("a", "f6")
        await until(pilot, lambda: isinstance(pilot.app.screen, BulkOutcomeDialog))
        await pilot.pause()
        assert whole_on_screen(pilot) == []
        text = screen_text(pilot.app)
        assert "Close the books in three days, Halve data-centre emissions" in text, text
        await pilot.press("escape")
        flush(pilot)
    rows = {row.title: row for row in store.get(run.dqi).outcomes.values()}
    assert rows["Close the books in three days"].cbo == "revenue"


async def test_an_outcome_edited_to_at_risk_stays_in_view_as_its_flag_joins_the_risks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Saving an outcome as at risk raises `outcome_at_risk`: the risk register above
    grows a row while the edited outcome keeps the focus, and it stays on screen."""
    run = engagement_run(tmp_path / "ws", monkeypatch)

    def add(review: Any) -> None:
        add_outcome(review, "Close the books in three days", metric="days", target="3")

    run.app.store.modify(run.dqi, add)
    run.app.open_review_id = run.dqi
    async with run.app.run_test(size=(80, 24)) as pilot:
        summary = await open_summary(pilot)
        await pilot.press("f3")
        await until(pilot, lambda: in_outcomes(pilot))
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(pilot.app.screen, OutcomeDialog))
        pilot.app.screen.query_one("#outcome-status", Select).value = "at_risk"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(pilot.app.screen, SummaryScreen))
        assert "outcome_at_risk" in {f.id for f in summary.session.result.flags}
        # the register's rebuild settles in a few frames; the edited outcome is then shown
        shown = "AT RISK Close the books in three days"
        await until(pilot, lambda: shown in screen_text(pilot.app), tries=200)
        assert in_outcomes(pilot)


async def test_the_engagement_screen_lists_each_outcome_once_as_its_latest_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.widgets import Static

    from gatebook.engagement.members import create_member
    from gatebook.tui.screens.engagement import EngagementScreen

    run = engagement_run(tmp_path / "ws", monkeypatch)
    store = run.app.store
    async with run.app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, EngagementScreen))
        screen = pilot.app.screen
        assert isinstance(screen, EngagementScreen)
        await until(pilot, lambda: screen.view is not None)
        assert not screen.query_one("#engagement-outcomes", Static).display  # none yet
    box: dict[str, str] = {}

    def add(review: Any) -> None:
        box["id"] = add_outcome(review, "Close the books in three days", by="2027-03-31")

    store.modify(run.s2d, add)
    later = create_member(
        store, run.engagement, run.app.catalog.resolve("dqi"), "Acme DQI 2", override="test"
    ).review.id

    def at_risk(review: Any) -> None:
        (outcome_id,) = review.outcomes
        review.outcomes[outcome_id] = review.outcomes[outcome_id].model_copy(
            update={"status": "at_risk", "metric": "days", "target": "3"}
        )

    store.modify(later, at_risk)
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, EngagementScreen))
        screen = pilot.app.screen
        assert isinstance(screen, EngagementScreen)
        await until(pilot, lambda: screen.view is not None)
        block = screen.query_one("#engagement-outcomes", Static)
        assert block.display
        text = str(block.render())
        assert text.splitlines() == [
            "Engagement outcomes (1):",
            f"  AT RISK Close the books in three days · by 2027-03-31 · {later} · from {run.s2d}",
        ]
