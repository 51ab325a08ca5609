"""The screen base class: typed access to the gatebook app (its store and catalog)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

if TYPE_CHECKING:
    from gatebook.tui.app import GatebookApp


class GatebookScreen(Screen[None]):
    @property
    def gb(self) -> GatebookApp:
        from gatebook.tui.app import GatebookApp  # the app module imports the screens

        assert isinstance(self.app, GatebookApp)
        return self.app
