"""The key bar at the bottom of every screen: one line, drawn from the public API.

Textual's Footer mounts a widget per key and recomposes all of them (about 20 ms) on
each `bindings_updated_signal`, which a screen emits several times while it starts
and whenever focus moves, even when the keys stay the same. This bar keeps the keys
as one preformatted line, rebuilt only when what it shows changes, from
`screen.active_bindings` and `bindings_updated_signal` (public API only). A click on a
key presses it; the command palette key comes last.

At 80 columns a screen has more keys than one line holds. Each screen ranks its keys
(`IMPORTANCE`: binding ids, most important first; the others follow in declared
order) and the bar shows them in that order; when they do not all fit it shows as many
as fit and ends with `f1 keys`, the help that lists every key (f1, not `?`: `?` is
typed into a text field). One line, not two: 24 rows are what a call has, a second
line would cost the review form a question's room, and the review's dozen keys would
not fit in two lines either. While a dialog is open over the screen, the bar shows the
dialog's keys: the screen's own do nothing then.

Keys are named as they are typed (`?`, `/`, `ctrl+s`, `page down`), here, in the help
screen, the command palette and docs/using.md alike: `key_label` is the one namer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.keys import format_key
from textual.screen import ModalScreen, Screen
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
    id: str | None = None
    """The binding's id, which a screen's `FOOTER_ORDER` ranks."""


IMPORTANCE: dict[str, tuple[str, ...]] = {
    # the review on a call: the marks first, then where to go
    "ReviewScreen": (
        "review.note",
        "review.na",
        "review.follow_up",
        "review.summary",
        "review.next_unanswered",
        "review.undo",
        "review.ask_next",
        "review.panel",
        "review.next_section",
        "review.home",
        "review.save",
    ),
    # the summary's body names F4, F5 and F6 where they act; the way out comes first
    "SummaryScreen": (
        "summary.signoff",
        "summary.export",
        "summary.outcomes",
        "summary.escalation",
        "summary.add_risk",
        "summary.edit_risk",
        "summary.sessions",
        "summary.back",
    ),
    "HomeScreen": (
        "home.new",
        "home.new_engagement",
        "home.portfolio",
        "home.filter",
        "home.delete",
        "home.sort",
    ),
    "EngagementScreen": (
        "engagement.next",
        "engagement.diff",
        "engagement.milestone",
        "engagement.back",
        "engagement.reload",
    ),
}
"""Per screen (by class name: screens import this module, not the other way round),
its keys' binding ids, most important first. A screen not named here, or a key it
does not rank, keeps the declared order (the screen's keys, then the app's)."""
HELP_ID = "app.help"
"""The binding that opens the help, which lists every key: the way to the keys left out."""
REST_TEXT = "keys"
"""What the help key says at the right end when keys are left out: `f1 keys`."""


def focus_descriptions(focused: Widget | None) -> dict[str, str]:
    """What a screen's keys do where the focus is: a widget (or one it is in) may name
    them anew by binding id in `KEY_DESCRIPTIONS` (the summary's F5/F6 in the outcomes
    register add and edit outcomes, not risks)."""
    for node in [focused, *focused.ancestors] if focused is not None else []:
        names = getattr(node, "KEY_DESCRIPTIONS", None)
        if isinstance(names, dict):
            return names
    return {}


def ranked(keys: Sequence[ShownKey], order: Sequence[str]) -> list[ShownKey]:
    """The keys in the screen's order of importance; keys it does not rank follow in
    the order they were declared."""
    rank = {binding_id: n for n, binding_id in enumerate(order)}
    return sorted(keys, key=lambda shown: rank.get(shown.id or "", len(rank)))


def keys_width(keys: Sequence[ShownKey]) -> int:
    """Columns ` KEY description ` takes for each key (as `draw_keys` draws them)."""
    return sum(
        cell_len(f" {k.display} ") + (cell_len(f"{k.description} ") if k.description else 0)
        for k in keys
    )


def fitted(
    keys: Sequence[ShownKey], palette: ShownKey | None, width: int
) -> tuple[list[ShownKey], ShownKey | None]:
    """What the bar draws in `width` columns: every key and the palette's when they fit;
    else the most important keys that fit before the help key, which then ends the line
    as `f1 keys` (the help lists the rest, the command palette too)."""
    every = [*keys, *([palette] if palette is not None else [])]
    help_key = next((k for k in keys if k.id == HELP_ID), None)
    if keys_width(every) <= width or help_key is None:
        return list(keys), palette
    rest = ShownKey(help_key.key, help_key.display, REST_TEXT, help_key.enabled, HELP_ID)
    room = width - keys_width([rest])
    shown: list[ShownKey] = []
    for key in keys:
        if key is help_key:
            continue
        if keys_width([*shown, key]) > room:
            break  # in order of importance: none after one that does not fit
        shown.append(key)
    return shown, rest


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

    def keys_screen(self) -> Screen[object]:
        """The screen whose keys the bar shows: its own, or the dialog open over it
        (only dialogs above it: a full screen above hides this bar anyway)."""
        stack = self.app.screen_stack
        if self.screen not in stack:
            return self.screen
        above = stack[stack.index(self.screen) + 1 :]
        if above and all(isinstance(screen, ModalScreen) for screen in above):
            return above[-1]
        return self.screen

    def current(self) -> Shown:
        """The keys the active bindings ask to show (the first key of each action, as
        Textual's footer shows them) in the screen's order of importance, and the
        command palette's key."""
        screen = self.keys_screen()
        palette_key = self.app.COMMAND_PALETTE_BINDING
        keys: list[ShownKey] = []
        actions: set[str] = set()
        palette: ShownKey | None = None
        renamed = focus_descriptions(screen.focused)
        for key, (_node, binding, enabled, _tooltip) in screen.active_bindings.items():
            shown = ShownKey(
                binding.key,
                self.app.get_key_display(binding),
                renamed.get(binding.id or "", binding.description),
                enabled,
                binding.id,
            )
            if key == palette_key:
                palette = shown if self.app.ENABLE_COMMAND_PALETTE else None
            elif binding.show and binding.action not in actions:
                actions.add(binding.action)
                keys.append(shown)
        order = next(
            (IMPORTANCE[c.__name__] for c in type(screen).__mro__ if c.__name__ in IMPORTANCE), ()
        )
        return tuple(ranked(keys, order)), palette

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.app.screen_change_signal.subscribe(self, self.screen_changed)

    def screen_changed(self, _screen: Screen[object]) -> None:
        """A dialog opened over this screen or closed: follow its keys."""
        if not self.is_attached:
            return
        screen = self.keys_screen()
        if screen is not self.screen:  # once per dialog, however often it comes back on top
            screen.bindings_updated_signal.unsubscribe(self)
            screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.bindings_changed(screen)

    def bindings_changed(self, screen: Screen[object]) -> None:
        if not self.is_attached or screen is not self.keys_screen():
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
        keys, palette = fitted(*self.shown, width)
        key_style = base + self.get_component_rich_style("footer--key")
        text_style = base + self.get_component_rich_style("footer--description")
        left, spans, end = draw_keys(tuple(keys), key_style, text_style)
        line = Strip(left, end)
        if palette is not None:
            right, _, right_width = draw_keys((palette,), key_style, text_style)
            room = width - right_width
            if room > 0:  # the palette (or help) key at the right end; others cut before it
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
