"""A compositor that renders each changed area of a frame on its own.

Textual renders a partial update by cropping to the rectangle that surrounds every
dirty region. A keystroke changes the answer's line in the form and a line of the
live panel on the other side of the screen; the surrounding rectangle then crosses
every widget in between (about 36 on the review screen), each rendered for the rows
of the rectangle only to be thrown away outside the changed spans. Rendering each
side-by-side area (the form's column, the panel's) separately touches only the
widgets under each (about 8), and the update
written to the terminal is the same: the same spans, filled from the same strips.
tests/test_speed.py compares the two and fails if Textual changes this code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import cast

from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.strip import Strip


def columns(regions: set[Region]) -> list[Region]:
    """The dirty regions grouped into side-by-side areas: regions whose columns overlap
    share one crop (the form's lines), areas apart get their own (the panel's line)."""
    groups: list[Region] = []
    for region in sorted(regions, key=lambda r: r.x):
        if groups and region.x < groups[-1].right:
            groups[-1] = groups[-1].union(region)
        else:
            groups.append(region)
    return groups


class SplitCompositor(Compositor):
    def _render_chops(
        self, crop: Region, is_rendered_line: Callable[[int], bool]
    ) -> Sequence[Mapping[int, Strip]]:
        """Textual's `_render_chops`, rendering a widget only when it shows.

        Textual renders every widget whose container meets the crop, whole, and then
        keeps, cut by cut, the front-most strip: a change in one field rendered every
        field the form shows and every container behind them. Here a widget is
        rendered for its part inside the crop, and not at all when every cut it covers
        on the lines being drawn is already filled by a widget in front of it (the
        result is the same: such a widget's strips would all have been discarded)."""
        cuts = self.cuts
        chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
        for widget, (region, clip) in self.visible_widgets.items():
            clip = clip.intersection(crop)
            render_region = region.intersection(clip)
            x, y, width, height = render_region
            if not (width and height):
                continue
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

    def render_partial_update(self) -> ChopsUpdate | None:
        update_regions = self._dirty_regions.copy()
        areas = columns(update_regions)
        if len(areas) < 2:
            return super().render_partial_update()
        self._dirty_regions.clear()
        screen_region = self.size.region
        spans = list(self._regions_to_spans(update_regions))
        is_rendered_line = {y for y, _, _ in spans}.__contains__
        chops: list[dict[int, Strip | None]] | None = None
        for area in areas:
            crop = area.intersection(screen_region)
            if not crop:
                continue
            rendered = self._render_chops(crop, is_rendered_line)
            if chops is None:
                chops = [dict(line) for line in rendered]
                continue
            for y in crop.line_range:
                line = chops[y]
                for x, strip in rendered[y].items():
                    if strip is not None:
                        line[x] = strip
        if chops is None:
            return None
        chop_ends = [cut_set[1:] for cut_set in self.cuts]
        return ChopsUpdate(chops, spans, chop_ends)
