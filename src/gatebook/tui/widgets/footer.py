"""The key bar at the bottom of every screen: one line, drawn from the public API.

Textual's Footer mounts a widget per key and recomposes all of them (about 20 ms) on
each `bindings_updated_signal`, which a screen emits several times while it starts
and whenever focus moves, even when the keys stay the same. This bar keeps the keys
as one preformatted line, rebuilt only when what it shows changes, from
`screen.active_bindings` and `bindings_updated_signal` (public API only). A click on a
key presses it; the command palette key comes last.

Keys are named as they are typed (`?`, `/`, `ctrl+s`, `page down`), here, in the help
screen, the command palette and docs/using.md alike: `key_label` is the one namer.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.keys import format_key
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

KEY_NAMES = {"pagedown": "page down", "pageup": "page up", "escape": "esc"}
"""Named keys said otherwise than Textual names them; the others keep their names
(`enter`, `up`, `space`, not Textual's symbols)."""


def key_label(key: str) -> str:
    """One bound key as a person types it: `question_mark` is `?`, `slash` is `/`,
    `ctrl+s` stays `ctrl+s` (Textual's footer would say `^s`)."""
    key = key.strip()
    if key in KEY_NAMES:
        return KEY_NAMES[key]
    if "+" in key or len(key) == 1:
        return key
    shown = format_key(key)  # `question_mark` -> `?`; `up` -> an arrow, not wanted
    return shown if len(shown) == 1 and shown.isprintable() and shown.isascii() else key


def keys_label(keys: str) -> str:
    """A binding's keys (`ctrl+n,f5`) as typed, `ctrl+n / f5`."""
    return " / ".join(key_label(key) for key in keys.split(","))


@dataclass(frozen=True)
class ShownKey:
    """One key as the bar shows it."""

    key: str
    display: str
    description: str
    enabled: bool


Shown = tuple[tuple[ShownKey, ...], ShownKey | None]
"""The keys shown from the left, and the command palette's key, shown at the right end."""
Span = tuple[int, int, str]
"""Columns [start, end) where a key is drawn, and the key a click there presses."""


def draw_keys(
    keys: tuple[ShownKey, ...], key_style: Style, text_style: Style
) -> tuple[list[Segment], list[Span], int]:
    """` KEY description ` for each key, where each is drawn, and the width."""
    segments: list[Segment] = []
    spans: list[Span] = []
    at = 0
    for shown in keys:
        dim = Style(dim=True) if not shown.enabled else Style()
        parts = [Segment(f" {shown.display} ", key_style + dim)]
        if shown.description:
            parts.append(Segment(f"{shown.description} ", text_style + dim))
        length = sum(cell_len(part.text) for part in parts)
        spans.append((at, at + length, shown.key))
        segments.extend(parts)
        at += length
    return segments, spans, at


class Footer(Widget):
    DEFAULT_CSS = """
    Footer {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
    }
    Footer > .footer--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    Footer > .footer--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    """
    COMPONENT_CLASSES = {"footer--key", "footer--description"}

    def __init__(self) -> None:
        super().__init__()
        self.shown: Shown | None = None
        self._spans: list[Span] = []

    def current(self) -> Shown:
        """The keys the active bindings ask to show (the first key of each action, as
        Textual's footer shows them), and the command palette's key."""
        palette_key = self.app.COMMAND_PALETTE_BINDING
        keys: list[ShownKey] = []
        actions: set[str] = set()
        palette: ShownKey | None = None
        for key, (_node, binding, enabled, _tooltip) in self.screen.active_bindings.items():
            shown = ShownKey(
                binding.key, self.app.get_key_display(binding), binding.description, enabled
            )
            if key == palette_key:
                palette = shown if self.app.ENABLE_COMMAND_PALETTE else None
            elif binding.show and binding.action not in actions:
                actions.add(binding.action)
                keys.append(shown)
        return tuple(keys), palette

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def bindings_changed(self, screen: Screen[object]) -> None:
        if not self.is_attached or screen is not self.screen:
            return
        shown = self.current()
        if shown != self.shown:
            self.shown = shown
            self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y != 0 or width <= 0:
            return Strip.blank(width, base)
        if self.shown is None:
            self.shown = self.current()
        keys, palette = self.shown
        key_style = base + self.get_component_rich_style("footer--key")
        text_style = base + self.get_component_rich_style("footer--description")
        left, spans, end = draw_keys(keys, key_style, text_style)
        line = Strip(left, end)
        if palette is not None:
            right, _, right_width = draw_keys((palette,), key_style, text_style)
            room = width - right_width
            if room > 0:  # the palette key at the right end; the others cut before it
                spans = [(a, min(b, room), k) for a, b, k in spans if a < room]
                spans.append((room, width, palette.key))
                line = Strip([*line.crop_extend(0, room, base), *right], width)
        self._spans = spans
        return line.crop_extend(0, width, base)

    def key_at(self, x: int) -> str | None:
        """The key drawn at column `x`, if any."""
        return next((key for start, end, key in self._spans if start <= x < end), None)

    def on_click(self, event: events.Click) -> None:
        key = self.key_at(event.x)
        if key is not None:
            event.stop()
            self.app.simulate_key(key)
