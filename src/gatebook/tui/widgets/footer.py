"""A footer that rebuilds its keys only when the keys it shows change.

Textual's Footer recomposes (unmounts and mounts every key, about 20 ms) on each
`bindings_updated_signal`, and a screen emits that signal several times while it
starts (mount, focus, resume) and whenever focus moves, even when the footer's keys
stay the same: three rebuilds trailed the first frame of the home screen. This one
rebuilds once per burst of signals, and not at all when the keys it would show are
the ones it shows.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter

Shown = tuple[tuple[str, str, bool, str], ...]


class Footer(TextualFooter):
    def __init__(self) -> None:
        super().__init__()
        self._shown: Shown | None = None
        self._pending = False
        # Keys from the first compose: the first frame has them, no rebuild follows.
        self.set_reactive(TextualFooter._bindings_ready, True)

    def _current(self) -> Shown:
        """Everything of the active bindings that the footer's keys are made from."""
        palette = self.app.COMMAND_PALETTE_BINDING
        return tuple(
            (binding.key, binding.description, enabled, tooltip)
            for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or key == palette
        )

    def compose(self) -> ComposeResult:
        self._shown = self._current()
        yield from super().compose()

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or self._pending:
            return
        if self.is_attached and screen is self.screen:
            self._pending = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._pending = False
        if not self.is_attached:  # its screen closed while the rebuild waited
            return
        shown = self._current()
        if shown != self._shown:
            self._shown = shown
            await self.recompose()
