"""The screen base class: typed access to the gatebook app, and frames drawn on time.

Textual draws a screen from a 60 Hz timer that is paused while nothing changes. After
each frame the timer goes to sleep until its next boundary, skipping any boundary it
missed (`textual/timer.py`, `Timer._run`); a change made during that sleep cannot
wake it. A key pressed 20 ms after the last frame therefore waited up to 33 ms for
its echo and the live panel, on top of the work it caused. Here a screen that becomes
idle with something to draw draws it at once, when at least one frame period has
passed since its last frame: the 60 Hz cap stays, the wait for a boundary goes.
tests/test_speed.py fails if Textual's screen update changes shape.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, cast

from textual import events
from textual.screen import UPDATE_PERIOD, Screen

from gatebook.tui.compositor import SplitCompositor

if TYPE_CHECKING:  # the app module imports the screens, never the other way round
    from gatebook.tui.app import GatebookApp


class GatebookScreen(Screen[None]):
    _last_frame = 0.0

    def __init__(
        self, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name, id, classes)
        self._compositor = SplitCompositor()  # a keystroke renders what it changed

    @property
    def gb(self) -> GatebookApp:
        return cast("GatebookApp", self.app)

    def _needs_frame(self) -> bool:
        return bool(
            self._layout_required
            or self._scroll_required
            or self._repaint_required
            or self._recompose_required
            or self._dirty_widgets
        )

    async def _on_idle(self, event: events.Idle) -> None:
        now = time.monotonic()
        if (
            self._needs_frame()
            and not self.app._batch_count
            and self.is_current
            and now - self._last_frame >= UPDATE_PERIOD
        ):
            self._on_timer_update()  # draw now; the timer would wait for its boundary
        await super()._on_idle(event)

    def _on_timer_update(self) -> None:
        self._last_frame = time.monotonic()
        super()._on_timer_update()
