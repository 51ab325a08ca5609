"""The speed kit: every Textual internal gatebook reaches into, in one module.

Two pieces of gatebook's start-up and keystroke figures cannot be had through
Textual's public API (Textual is pinned; see pyproject.toml):

- **The split compositor.** Textual's partial update renders every widget whose
  container meets the changed area, whole, and keeps, cut by cut, the front-most
  strip: a change in one field rendered every field the form shows and every
  container behind them (about 36 widgets on the review screen). `SplitCompositor`
  renders a widget only when it shows on a line being drawn; the update written to
  the terminal is the same (tests/test_speed.py compares the two).
- **The idle frame.** Textual draws a screen from a 60 Hz timer that is paused while
  nothing changes; after each frame the timer sleeps until its next boundary, skipping
  any it missed (`textual/timer.py`, `Timer._run`), and a change made during that
  sleep cannot wake it. A key pressed 20 ms after the last frame waited up to 33 ms
  for its echo. `FastFrameScreen` draws at once when the screen goes idle with
  something to draw and one frame period has passed: the 60 Hz cap stays, the wait
  for a boundary goes.

`GATEBOOK_STOCK_TEXTUAL=1` switches the kit off (read once, at import): screens use
Textual's compositor and timer, and `PanelText` draws through the styles cache. The
benchmark measures every key figure both ways in one run, so anyone can see what each
piece buys and drop it once Textual catches up. Nothing outside this module reads or
writes a private Textual attribute (tests/test_architecture.py checks).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from typing import cast

from textual import events
from textual._compositor import Compositor
from textual.geometry import Region
from textual.screen import UPDATE_PERIOD, Screen
from textual.strip import Strip

STOCK_ENV = "GATEBOOK_STOCK_TEXTUAL"
ENABLED = os.environ.get(STOCK_ENV, "") != "1"


class SplitCompositor(Compositor):
    def _render_chops(
        self, crop: Region, is_rendered_line: Callable[[int], bool]
    ) -> Sequence[Mapping[int, Strip]]:
        """Textual's `_render_chops`, rendering a widget only when it shows.

        A widget is rendered only when its visible part meets the crop, only for the
        crop's rows (whole rows: a cut that starts left of the crop may still reach into
        it), and not at all when every cut it covers on the lines being drawn is already
        filled by a widget in front of it (its strips would all have been discarded)."""
        cuts = self.cuts
        chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
        rows = Region(0, crop.y, self.size.width, crop.height)
        for widget, (region, clip) in self.visible_widgets.items():
            visible = region.intersection(clip)
            if not visible.overlaps(crop):
                continue
            render_region = visible.intersection(rows)
            x, y, width, height = render_region
            first_cut, last_cut = render_region.column_span
            lines = [
                (line_y, [cut for cut in cuts[line_y] if last_cut >= cut >= first_cut])
                for line_y in render_region.line_range
                if is_rendered_line(line_y)
            ]
            if all(  # (a cut at the region's right edge only ever gets an empty piece)
                chops[line_y].get(cut) is not None
                for line_y, line_cuts in lines
                for cut in line_cuts
                if cut < last_cut
            ):
                continue  # hidden behind what is already drawn
            strips = widget.render_lines(Region(x - region.x, y - region.y, width, height))
            for line_y, line_cuts in lines:
                strip = strips[line_y - y]
                pieces = strip.divide([cut - x for cut in line_cuts[1:]])
                line = chops[line_y]
                for cut, piece in zip(line_cuts, pieces, strict=False):
                    if line.get(cut) is None:
                        line[cut] = piece
        return cast("Sequence[Mapping[int, Strip]]", chops)


class FastFrameScreen(Screen[None]):
    """A screen with the split compositor and the idle frame, unless the kit is off."""

    _last_frame = 0.0

    def __init__(
        self, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name, id, classes)
        if ENABLED:
            self._compositor = SplitCompositor()

    def _needs_frame(self) -> bool:
        return bool(
            self._layout_required
            or self._scroll_required
            or self._repaint_required
            or self._recompose_required
            or self._dirty_widgets
        )

    async def _on_idle(self, event: events.Idle) -> None:
        if ENABLED:
            now = time.monotonic()
            if (
                self._needs_frame()
                and not self.app._batch_count
                and self.is_current
                and now - self._last_frame >= UPDATE_PERIOD
            ):
                self._on_timer_update()  # draw now; the timer would wait for its boundary
        await super()._on_idle(event)

    def _on_timer_update(self) -> None:
        self._last_frame = time.monotonic()
        super()._on_timer_update()
