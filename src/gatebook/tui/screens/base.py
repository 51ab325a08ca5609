"""The screen base class: typed access to the gatebook app, frames from the speed kit,
and failed workers handed to the app.

The kit's frame and compositor changes live in `gatebook.tui.speedups` (switched off
by GATEBOOK_STOCK_TEXTUAL=1); this class only adds what every gatebook screen shares.
"""

from __future__ import annotations

from typing import cast

from textual.screen import Screen
from textual.worker import Worker, WorkerState

from gatebook.tui.host import AppHost
from gatebook.tui.key_order import WRITING, KeysMayGo
from gatebook.tui.speedups import FastFrameScreen


class ForwardsWorkerFailures(Screen[None]):
    """For a screen that runs workers: Textual posts a worker's state to the node that
    started it and never bubbles it, so a failure is handed to the app, whose one
    handler (`GatebookApp.on_worker_state_changed`) turns it into a notification.
    Every worker also declares `exit_on_error=False`: a bad file never ends the app."""

    REPORTS_WRITES = True
    """Its writes (`WRITING`) say when their outcome is handled: keys wait for it."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.app.post_message(Worker.StateChanged(event.worker, event.state))
        if event.worker.group == WRITING:  # keys wait for its outcome (tui/key_order.py)
            self.app.post_message(KeysMayGo(event.worker, not event.worker.is_finished))


class GatebookScreen(FastFrameScreen, ForwardsWorkerFailures):
    @property
    def gb(self) -> AppHost:
        """The app as a screen may use it: the app module imports the screens, never
        the other way round (`tui/host.py`)."""
        return cast("AppHost", self.app)
