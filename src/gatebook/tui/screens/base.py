"""The screen base class: typed access to the gatebook app (its store and catalog)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import Screen

if TYPE_CHECKING:  # the app module imports the screens, never the other way round
    from gatebook.tui.app import GatebookApp


class GatebookScreen(Screen[None]):
    @property
    def gb(self) -> GatebookApp:
        return cast("GatebookApp", self.app)
