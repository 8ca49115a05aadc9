"""A compositor that redraws only the widgets a key changed, for screens of many small fields."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console
from rich.control import Control
from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.strip import Strip


class CroppedChopsUpdate(ChopsUpdate):
    """Textual writes a changed region from the left edge of the widget it is in: for a
    field that is its own widget, the field; for a cell of the lines (one widget the
    width of the screen), everything left of the cell again, some 700 bytes a key over
    SSH. This writes the changed cells only."""

    def render_segments(self, console: Console) -> str:
        sequences: list[str] = []
        append = sequences.append
        move_to = Control.move_to
        last_y = self.spans[-1][0]
        for y, x1, x2 in self.spans:
            line = self.chops[y]
            ends = self.chop_ends[y]
            for end, (x, strip) in zip(ends, line.items(), strict=False):
                if strip is None or x > x2 or end <= x1:
                    continue
                start, stop = max(x, x1), min(end, x2)
                if start >= stop:
                    continue
                if (start, stop) != (x, end):
                    strip = strip.crop(start - x, stop - x)
                append(move_to(start, y).segment.text)
                append(strip.render(console))
            if y != last_y:
                append("\n")
        return "".join(sequences)


class BandCompositor(Compositor):
    """Textual's partial update renders every widget whose *clip* overlaps the box around
    the changed regions: a key that changes a field near the top and the hint line near
    the bottom renders most of the screen (and a widget in a scrolling container is
    clipped to the container: all of its siblings render too). This renders only the
    widgets whose visible part overlaps a changed region, band by band (bands of changed
    lines never share a line), and writes only the changed cells (CroppedChopsUpdate).
    Textual's own full update is kept for everything else (a new screen, layout)."""

    def render_partial_update(self) -> ChopsUpdate | None:
        update_regions = self._dirty_regions.copy()
        self._dirty_regions.clear()
        if not update_regions:
            return None
        screen_region = self.size.region
        spans = list(self._regions_to_spans(update_regions))
        rendered = {y for y, _, _ in spans}
        bands: list[tuple[int, int, list[Region]]] = []  # (first line, end, regions)
        for region in sorted(update_regions, key=lambda r: (r.y, r.bottom)):
            if bands and region.y < bands[-1][1]:
                first, end, regions = bands[-1]
                bands[-1] = (first, max(end, region.bottom), [*regions, region])
            else:
                bands.append((region.y, region.bottom, [region]))
        chops: list = []
        for first, end, regions in bands:
            crop = Region.from_union(regions).intersection(screen_region)
            band = self._render_chops(
                crop, lambda y, first=first, end=end: first <= y < end and y in rendered
            )
            if not chops:
                chops = list(band)
            else:
                chops[first:end] = band[first:end]
        chop_ends = [cut_set[1:] for cut_set in self.cuts]
        return CroppedChopsUpdate(chops, spans, chop_ends)

    def _get_renders(
        self, crop: Region | None = None
    ) -> Iterable[tuple[Region, Region, list[Strip]]]:
        if crop is None:
            yield from super()._get_renders(crop)
            return
        overlaps = crop.overlaps
        for widget, (region, clip) in self.visible_widgets.items():
            shown = region.intersection(clip)
            if not (shown.width and shown.height and overlaps(shown)):
                continue
            # Only the lines of the crop, at the widget's full width (its cuts stay where
            # they are): the screen behind everything is 24 lines, the service lines 11.
            lines = shown.intersection(Region(shown.x, crop.y, shown.width, crop.height))
            yield (
                region,
                lines,
                widget.render_lines(
                    Region(lines.x - region.x, lines.y - region.y, lines.width, lines.height)
                ),
            )
