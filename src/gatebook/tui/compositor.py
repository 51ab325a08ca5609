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

from collections.abc import Iterable

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
    def _get_renders(
        self, crop: Region | None = None
    ) -> Iterable[tuple[Region, Region, list[Strip]]]:
        """Each widget whose visible part meets `crop`, rendered for that part only.

        Textual's version picks widgets by their clip (their container's area), so a
        change in one field of the form rendered every field the form shows, whole."""
        if crop is None:
            yield from super()._get_renders(crop)
            return
        for widget, (region, clip) in self.visible_widgets.items():
            clip = clip.intersection(crop)
            x, y, width, height = region.intersection(clip)
            if width and height:
                yield (
                    region,
                    clip,
                    widget.render_lines(Region(x - region.x, y - region.y, width, height)),
                )

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
