"""The screen base class: typed access to the gatebook app, frames from the speed kit.

The kit's frame and compositor changes live in `gatebook.tui.speedups` (switched off
by GATEBOOK_STOCK_TEXTUAL=1); this class only adds what every gatebook screen shares.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from gatebook.tui.speedups import FastFrameScreen

if TYPE_CHECKING:  # the app module imports the screens, never the other way round
    from gatebook.tui.app import GatebookApp


class GatebookScreen(FastFrameScreen):
    @property
    def gb(self) -> GatebookApp:
        return cast("GatebookApp", self.app)
