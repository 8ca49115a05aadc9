"""The claim editor's compositor draws the same screen as Textual's, from far fewer widgets."""

from __future__ import annotations

import io
from functools import partial

from rich.console import Console
from textual._compositor import Compositor
from ui_helpers import burst, settle

from billing_tui.screens.band_compositor import BandCompositor


def _text(update, width: int) -> str:
    """What an update writes to the terminal (cursor moves and styled text)."""
    console = Console(file=io.StringIO(), width=width, color_system="truecolor",
                      force_terminal=True, legacy_windows=False)  # fmt: skip
    console.print(update, end="")
    return console.file.getvalue()


async def test_every_partial_update_of_a_typed_claim_is_textuals_own(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await burst(pilot, "f7")
        screen = app.screen
        compositor = screen._compositor
        assert isinstance(compositor, BandCompositor)
        compared = []

        def both():
            dirty = set(compositor._dirty_regions)
            # Textual's own, through and through (its _get_renders too), then ours.
            compositor._get_renders = partial(Compositor._get_renders, compositor)
            try:
                theirs = Compositor.render_partial_update(compositor)
            finally:
                del compositor._get_renders
            compositor._dirty_regions.update(dirty)
            ours = BandCompositor.render_partial_update(compositor)
            if theirs is not None:
                assert ours is not None
                assert _text(ours, 80) == _text(theirs, 80)
                compared.append(len(dirty))
            return ours

        compositor.render_partial_update = both
        keys = [*"J069", "enter", *"strep", "down", "enter", "enter", *"112426", "enter",
                *"99213", "enter", *"95", "enter", "1", "2", "enter", "enter", "enter", "enter",
                *"36415", "enter", "f3", "f3"]  # fmt: skip
        for key in keys:  # one at a time: a frame each
            await burst(pilot, key)
        assert len(compared) > 30
        assert any(count > 1 for count in compared)  # bands of several regions were drawn
