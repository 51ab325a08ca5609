"""The speed kit: every Textual internal gatebook reaches into, in one module.

Two pieces of gatebook's start-up and keystroke figures cannot be had through
Textual's public API (Textual is pinned; see pyproject.toml):

- **The split compositor.** Textual's partial update renders every widget whose
  container meets the changed area, whole, and keeps, cut by cut, the front-most
  strip: a change in one field rendered every field the form shows and every
  container behind them (about 36 widgets on the review screen). `SplitCompositor`
  renders a widget only when it shows under a changed span of a line being drawn (a
  flag toggle changes the answer on the left and the flags block on the right: the
  form beside the flags is not rendered); the update written to the terminal is the
  same (tests/test_speed.py compares the two).
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
from itertools import pairwise
from typing import cast

from textual import events
from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.screen import UPDATE_PERIOD, Screen
from textual.strip import Strip

STOCK_ENV = "GATEBOOK_STOCK_TEXTUAL"
ENABLED = os.environ.get(STOCK_ENV, "") != "1"


class SplitCompositor(Compositor):
    def render_partial_update(self) -> ChopsUpdate | None:
        """Textual's partial update, drawn from the changed spans themselves rather than
        their bounding box: a key that changes the answer (left) and the flags block
        (right) made every widget on every changed line render, the form's beside the
        panel's, though only the pieces under a span are written."""
        update_regions = self._dirty_regions.copy()
        self._dirty_regions.clear()
        if not update_regions:
            return None
        crop = Region.from_union(update_regions).intersection(self.size.region)
        spans = list(self._regions_to_spans(update_regions))
        chops = self._render_span_chops(crop, spans)
        return ChopsUpdate(chops, spans, [cut_set[1:] for cut_set in self.cuts])

    def _render_span_chops(
        self, crop: Region, spans: list[tuple[int, int, int]]
    ) -> Sequence[Mapping[int, Strip]]:
        """`_render_chops` for the pieces an update writes: on each line, the cuts whose
        piece meets a span (`ChopsUpdate.render_segments` skips the others). A widget is
        rendered for the lines where such a piece is still unfilled, and only those."""
        cuts = self.cuts
        chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
        wanted: dict[int, set[int]] = {}
        reach: dict[int, tuple[int, int]] = {}  # a line's spans, leftmost to rightmost
        for line_y, x1, x2 in spans:
            if 0 <= line_y < len(cuts):
                cut_set = cuts[line_y]
                wanted.setdefault(line_y, set()).update(
                    cut for cut, end in pairwise(cut_set) if cut <= x2 and end > x1
                )
                low, high = reach.get(line_y, (x1, x2))
                reach[line_y] = (min(low, x1), max(high, x2))
        rows = Region(0, crop.y, self.size.width, crop.height)
        for widget, (region, clip) in self.visible_widgets.items():
            visible = region.intersection(clip)
            if not visible.overlaps(crop):
                continue
            x, y, width, height = visible.intersection(rows)
            first_cut, last_cut = x, x + width
            lines: list[tuple[int, list[int]]] = []
            for line_y in range(y, y + height):
                want = wanted.get(line_y)
                if not want or not reach[line_y][0] < last_cut or first_cut > reach[line_y][1]:
                    continue  # no span on this line meets the widget
                line_cuts = [cut for cut in cuts[line_y] if last_cut >= cut >= first_cut]
                line = chops[line_y]
                if any(c < last_cut and c in want and line.get(c) is None for c in line_cuts):
                    lines.append((line_y, line_cuts))
            if not lines:
                continue  # nothing of it is written, or hidden behind what is drawn
            top = lines[0][0]
            strips = widget.render_lines(
                Region(x - region.x, top - region.y, width, lines[-1][0] - top + 1)
            )
            for line_y, line_cuts in lines:
                pieces = strips[line_y - top].divide([cut - x for cut in line_cuts[1:]])
                line = chops[line_y]
                for cut, piece in zip(line_cuts, pieces, strict=False):
                    if line.get(cut) is None:
                        line[cut] = piece
        return cast("Sequence[Mapping[int, Strip]]", chops)

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
