"""A compositor that renders only the widgets a frame shows.

A keystroke changes the answer's line in the form and a line of the live panel.
Textual's partial update renders every widget whose container meets the changed
area, whole, and keeps, cut by cut, the front-most strip: a change in one field
rendered every field the form shows and every container behind them (about 36
widgets on the review screen). Here a widget renders only when it shows on a line
being drawn, and the update written to the terminal is the same (tests/test_speed.py
compares the two and fails if Textual changes this code).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import cast

from textual._compositor import Compositor
from textual.geometry import Region
from textual.strip import Strip


class SplitCompositor(Compositor):
    def _render_chops(
        self, crop: Region, is_rendered_line: Callable[[int], bool]
    ) -> Sequence[Mapping[int, Strip]]:
        """Textual's `_render_chops`, rendering a widget only when it shows.

        Textual renders every widget whose container meets the crop, whole, and then
        keeps, cut by cut, the front-most strip: a change in one field rendered every
        field the form shows and every container behind them. Here a widget is
        rendered only when its visible part meets the crop, only for the crop's rows
        (whole rows: a cut that starts left of the crop may still reach into it), and
        not at all when every cut it covers on the lines being drawn is already filled
        by a widget in front of it (its strips would all have been discarded)."""
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
