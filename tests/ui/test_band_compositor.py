"""The claim editor's compositor draws the same screen as Textual's, from far fewer widgets,
and writes fewer bytes: each partial update is compared with Textual's own, as rendered and
as a terminal shows it (pyte, a terminal emulator, reads both back)."""

from __future__ import annotations

import copy
import io
from functools import partial

import pyte
from rich.console import Console
from textual._compositor import ChopsUpdate, Compositor
from ui_helpers import burst, settle

from billing_tui.screens.band_compositor import BandCompositor, CroppedChopsUpdate

SIZE = (80, 24)


def _console() -> Console:
    return Console(file=io.StringIO(), width=SIZE[0], color_system="truecolor",
                   force_terminal=True, legacy_windows=False)  # fmt: skip


def _text(update) -> str:
    """The update as Rich renders it (every chop it carries)."""
    console = _console()
    console.print(update, end="")
    return console.file.getvalue()


def _cells(screen: pyte.Screen) -> list[list]:
    return [[screen.buffer[y][x] for x in range(SIZE[0])] for y in range(SIZE[1])]


async def test_every_partial_update_of_a_typed_claim_is_textuals_own(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst(pilot, "f7")
        screen = app.screen
        compositor = screen._compositor
        assert isinstance(compositor, BandCompositor)
        terminal = pyte.Screen(*SIZE)
        dirty = set(compositor._dirty_regions)
        pyte.Stream(terminal).feed(compositor.render_full_update().render_segments(_console()))
        compositor._dirty_regions.update(dirty)
        compared, written = [], {"ours": 0, "theirs": 0}

        def both():
            nonlocal terminal
            dirty = set(compositor._dirty_regions)
            # Textual's own, through and through (its _get_renders too), then ours.
            compositor._get_renders = partial(Compositor._get_renders, compositor)
            try:
                theirs = Compositor.render_partial_update(compositor)
            finally:
                del compositor._get_renders
            compositor._dirty_regions.update(dirty)
            ours = BandCompositor.render_partial_update(compositor)
            if theirs is None:
                return ours
            assert isinstance(ours, CroppedChopsUpdate)
            assert _text(ours) == _text(theirs)
            # What the terminal shows after each: the same, from fewer bytes.
            shown = {}
            for name, update in (("theirs", theirs), ("ours", ours)):
                raw = ChopsUpdate.render_segments(update, _console()) if name == "theirs" else (
                    update.render_segments(_console()))  # fmt: skip
                written[name] += len(raw)
                shown[name] = copy.deepcopy(terminal)
                pyte.Stream(shown[name]).feed(raw)
            assert _cells(shown["ours"]) == _cells(shown["theirs"])
            terminal = shown["theirs"]
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
        assert written["ours"] < written["theirs"] * 0.8, written
