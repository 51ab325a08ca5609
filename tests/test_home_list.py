"""The home screen's review list and the footer: drawn cheaply, still a proper list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.geometry import Region

from gatebook.tui.screens.home import COLUMNS, HomeScreen
from gatebook.tui.screens.review import ReviewScreen
from gatebook.tui.widgets.footer import Footer, Shown
from gatebook.tui.widgets.review_list import Column, ReviewList, layout

from .tui_support import deterministic_app


def make_reviews(app: object, titles: list[str]) -> list[str]:
    store = app.store  # type: ignore[attr-defined]
    oqr = app.catalog.resolve("oqr")  # type: ignore[attr-defined]
    return [store.create(oqr, title, subject="Northwind Traders").id for title in titles]


def screen_lines(review_list: ReviewList) -> list[str]:
    """The list's lines as drawn now (scrolled), as a person reads them."""
    return [review_list.render_line(y).text for y in range(review_list.size.height)]


async def test_keys_move_the_cursor_and_enter_opens_that_review(tmp_path: Path) -> None:
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    ids = make_reviews(app, [f"Review {n:02d}" for n in range(40)])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        home = app.screen
        assert isinstance(home, HomeScreen)
        listed = [s.id for s in home.visible_rows()]
        assert sorted(listed) == sorted(ids)
        assert home.selected_id() == listed[0]
        await pilot.press("down", "down")
        assert home.selected_id() == listed[2]
        await pilot.press("end")
        assert home.selected_id() == listed[-1]
        review_list = home.query_one(ReviewList)
        assert review_list.scroll_y > 0  # the last row is scrolled into view
        lines = screen_lines(review_list)
        title = next(s.title for s in home.visible_rows() if s.id == listed[-1])
        assert any(title in line for line in lines)
        await pilot.press("home")
        await pilot.pause()
        wheel = events.MouseScrollDown(review_list, 1, 2, 0, 1, 0, False, False, False)
        review_list.post_message(wheel)
        await pilot.pause()
        assert home.selected_id() == listed[3]  # the wheel moves the cursor
        await pilot.press("end")
        await pilot.press("up")  # scrolled: the painted lines follow the cursor
        await pilot.pause()
        painted = review_list.render_lines(Region(0, 0, *review_list.size))
        cursor_style = review_list.get_component_rich_style("review-list--cursor")
        highlighted = [
            y
            for y, strip in enumerate(painted)
            if cursor_style.bgcolor in {segment.style.bgcolor for segment in strip if segment.style}
        ]
        assert highlighted == [review_list.cursor - round(review_list.scroll_y) + 1]
        await pilot.press("home", "pagedown")
        page = review_list.scrollable_content_region.height - 1  # rows under the heading
        assert home.selected_id() == listed[page]
        await pilot.press("up")
        chosen = home.selected_id()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.review.id == chosen


async def test_a_click_selects_and_a_second_click_opens(tmp_path: Path) -> None:
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    make_reviews(app, ["First", "Second", "Third"])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        home = app.screen
        assert isinstance(home, HomeScreen)
        second = home.visible_rows()[1].id
        await pilot.click(ReviewList, offset=(5, 2))  # line 0 is the heading
        assert home.selected_id() == second
        await pilot.click(ReviewList, offset=(5, 2))
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen) and app.screen.review.id == second


async def test_the_list_fits_80_columns_title_first_and_keeps_the_cursor_on_filter(
    tmp_path: Path,
) -> None:
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    make_reviews(app, ["Contoso data platform migration", "Globex security review"])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        home = app.screen
        assert isinstance(home, HomeScreen)
        review_list = home.query_one(ReviewList)
        width = review_list.scrollable_content_region.width
        assert all(len(line) <= width for line in [review_list.header, *review_list.lines])
        assert review_list.virtual_size.width <= width  # no sideways scrolling at 80x24
        assert "Contoso data platfo" in review_list.lines[0] + review_list.lines[1]
        assert review_list.lines[0].rstrip().endswith("2026-11-24")  # the date, not "2026-11-2…"
        globex = next(s.id for s in home.visible_rows() if s.title.startswith("Globex"))
        while home.selected_id() != globex:
            await pilot.press("down")
        await pilot.press("slash", *"glo")
        await pilot.pause()
        assert review_list.keys == [globex] and home.selected_id() == globex
    wide = deterministic_app(tmp_path / "ws", offer_demo=False)
    async with wide.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        header = wide.screen.query_one(ReviewList).header
        assert all(column.title in header for column in COLUMNS)  # whole headings


def test_cells_are_cut_to_their_column_and_hostile_text_is_inert() -> None:
    columns = [Column("Title", 10, min_width=6), Column("N")]
    header, lines = layout(columns, [["x" * 30, "1"], ["😀😀😀😀😀😀", "2"]], room=100)
    assert lines[0] == " " + "x" * 9 + "…  1"
    assert lines[1] == " 😀😀😀😀 …  2"  # wide characters count as two cells
    header, lines = layout(columns, [["x" * 30, "1"]], room=10)
    assert len(header) <= 10 and len(lines[0]) <= 10 and lines[0].endswith("1")


async def test_titles_with_escape_sequences_are_shown_escaped(tmp_path: Path) -> None:
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    make_reviews(app, ["\x1b]52;c;aGk=\x07 [b]x[/b]"])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        line = app.screen.query_one(ReviewList).lines[0]
        assert "\x1b" not in line and "\x07" not in line
        assert "\\x1b" in line and "[b]x[/b]" in line


async def test_the_footer_is_one_line_redrawn_only_when_its_keys_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    make_reviews(app, ["One"])
    redrawn: list[Shown | None] = []
    original = Footer.refresh

    def counting(self: Footer, *regions: Any, **kwargs: Any) -> Any:
        redrawn.append(self.shown)
        return original(self, *regions, **kwargs)

    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(Footer)
        assert not footer.children
        line = footer.render_line(0).text
        assert "New review" in line and "palette" in line
        monkeypatch.setattr(Footer, "refresh", counting)
        footer.bindings_changed(app.screen)  # the same keys: nothing to draw
        assert redrawn == []
        await pilot.press("slash")  # the filter takes focus: the keys change
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert 1 <= len(redrawn) <= 3
        assert "New review" in footer.render_line(0).text


async def test_a_click_on_a_footer_key_presses_it(tmp_path: Path) -> None:
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    make_reviews(app, ["One"])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(Footer)
        line = footer.render_line(0).text
        x = line.index("Help") - 2
        assert footer.key_at(x) is not None
        await pilot.click(Footer, offset=(x, 0))
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
