"""Keys in the order they were typed, however fast they come.

Textual hands each key to the widget with focus as soon as it arrives, and runs a
binding (not a priority one) only when the key has bubbled back up to the app, a
few message queues later. A key an editor types itself (a letter into an input) is
handled at once; a key a binding handles (`ctrl+u`, `backspace`, `tab` to the next
question) after the keys behind it. Keys that arrive together, as they do over a
slow SSH link, from a paste without bracketed paste or from a fast typist on a busy
laptop, were applied out of order: `Abc⌫d⇥Xy` typed in one burst stored `Abcd` and
put `X` into the wrong question; `ctrl+u` then a name stored nothing at all.

`KeyOrder` lets one key at a time on its way. The next waits until the one before
has passed every queue it bubbles through (a callback follows it up the same path,
one message behind it), and then until the messages its handling posted where it
was typed have bubbled up too (a second lap: `enter` on the list of reviews opens
the review from the list's `OptionSelected`), and goes to whatever has the focus by
then, as it would have had the keys come slowly. The follower sets out only when a
key comes while a message is still queued where the last one went (or on the app's
queue, or the screen changed): typed at a person's pace every queue is empty by the
next key, and nothing follows (no cost per key). A key a priority binding handles
in the app is followed through the app's queue (a focus the binding asked for is a
call later there), and a key that brought another screen through that screen's
queue too (it mounts and focuses first). A key that comes alone is never held.
Characters typed into the text field that has the focus go on at once, one
behind the other (the field types them in order and keeps them from every binding),
and the follower trails the last: a paste the terminal does not bracket goes in as
fast as before, not one follower (tens of milliseconds) a character.

A screen still arriving has no focus yet, or is about to move it: a screen pushed a
moment ago (a dialog focuses its first field once mounted), a screen that says so
with `arriving` (the review screen, until a question first has the focus and while
a section or page it moves to is mounted with the focus waiting for it), or one
whose write runs off the event loop until the screen has handled its outcome (`e`,
a title, `enter` starts an engagement whose screen opens once it is written).
Keys typed meanwhile wait for the focus, so typing right after `enter` on a review,
`ctrl+o` or `tab` at a section's end goes into the field that takes the focus
instead of nowhere (or, held by the form and replayed, after the keys behind it).
Keys held elsewhere (a review opened again after its upgrade) are handed back with
`replay` and go first.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from copy import copy
from itertools import count
from typing import Any

from textual import events
from textual.app import App
from textual.dom import DOMNode
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, TextArea
from textual.worker import Worker

LAPS = 2
"""The follower's laps behind a key: up from where it was handed, and again for the
messages its handling posted there."""

SCREEN_LAPS = 3
"""Laps more, one through each screen the key's handling brought (a dialog opened,
then closed by the same key: at most a few)."""

WAITING_FOCUS = -1
"""`_on_way` while keys wait for an arriving screen's focus."""

CHECK_S = 0.5
"""How often held keys check that the key before them is still on a live path: a
widget removed while the key was in its queue takes the key and its follower with
it, and the keys behind must not wait for ever."""

GIVE_UP_CHECKS = 10
"""An arriving screen that neither focuses a widget nor says it will not
(`KeysMayGo`) in this many checks is not waited for any longer, until the focus
next moves."""


class KeysMayGo(Message):
    """An arriving screen has given the focus, or will give none: the keys waiting
    for it look again (and go on to the screen itself when nothing has the focus).
    With `write`: a screen's write started (`running`) or its outcome was handled."""

    def __init__(self, write: Worker[Any] | None = None, running: bool = False) -> None:
        super().__init__()
        self.write = write
        self.running = running


WRITING = "write"
"""The worker group of a screen's writes (a new engagement, a stage started, a
milestone): what the screen shows next, often another screen, comes when it is done."""


def arriving(app: App[Any]) -> bool:
    """Whether the screen has still to give the focus: it says so (`arriving`), or
    it has none yet and is not mounted or has something to focus (a dialog focuses
    its first field once mounted, a moment after it is)."""
    screen = app.screen
    says = getattr(screen, "arriving", None)
    if says is not None:
        return bool(says)
    if app.focused is not None:
        return False
    return not screen.is_mounted or any(w.can_focus for w in screen.walk_children(Widget))


def started_writes(app: App[Any]) -> set[Worker[Any]]:
    """The writes running now for a screen that reports their outcome
    (`REPORTS_WRITES`): seen at once, as the key that started one is handled, not
    when the screen's report of its start reaches the app (a key right behind could
    go first on a busy machine)."""
    return {
        worker
        for worker in app.workers
        if worker.group == WRITING
        and not worker.is_finished
        and getattr(worker.node, "REPORTS_WRITES", False)
    }


class KeyOrder:
    """The keys typed, handed on one at a time (see the module docstring)."""

    def __init__(self, app: App[Any], handle: Callable[[events.Key], Awaitable[None]]) -> None:
        self._app = app
        self._handle = handle
        """The app's own handling of a fresh key: bindings first, then the focus."""
        self._waiting: deque[events.Key] = deque()
        self._tokens = count(1)
        self._on_way = 0
        """The token of the key on its way, WAITING_FOCUS, or 0: none."""
        self._at: DOMNode | None = None
        """Where the follower of the key on its way waits."""
        self._start: DOMNode | None = None
        """Where the key on its way was handed: its second lap starts there."""
        self._screen: object = None
        """The screen the key on its way was typed on: when its handling brought
        another, a lap through that screen's queue lets it mount and focus first."""
        self._typing: Widget | None = None
        """The text field the key on its way typed a character into."""
        self._behind = False
        """Characters went into that field after the follower set out."""
        self._last: DOMNode | None = None
        """Where the last key went, not yet followed (no key was behind it): the app,
        when a priority binding handled it there."""
        self._last_screen: object = None
        self._last_typing: Widget | None = None
        self._check: Timer | None = None
        self._checks = 0
        self._writes: set[Worker[Any]] = set()
        """Writes started (`WRITING`) whose outcome the screen has not handled yet."""
        self._waiting_for: object = None
        """The screen whose focus the waiting keys wait for (None: a write's outcome)."""
        self._gave_up_on: object = None
        """The arriving screen whose focus never came: keys no longer wait for it."""

    @property
    def followed(self) -> int:
        """How many followers have set out (a run of characters typed into one text
        field is trailed by one)."""
        return next(copy(self._tokens)) - 1

    def hold(self, key: events.Key) -> bool:
        """Whether a fresh key waits: another is on its way, or keys wait before it.
        The last key is followed only now, when one comes behind it while a message
        is still queued where it went: typed at a person's pace every queue is empty
        by then, and nothing follows (no cost per key)."""
        if not (self._on_way or self._waiting):
            last = self._last
            if last is None or self._settled(last):
                self._last = None
                return False
            typing = self._last_typing
            if key.is_printable and typing is not None and typing is self._app.focused:
                return False  # into the same field, behind the last character
            self._set_out(last)
        if not self._waiting and self._joins_run(key):
            return False
        self._waiting.append(key)
        self._arm()
        return True

    def _joins_run(self, key: events.Key) -> bool:
        """A character behind one typed into the text field that still has the focus
        goes on at once: the field types them in its own queue, in order, and no
        binding sees them (the field keeps them)."""
        typing = self._typing
        return (
            self._on_way > 0
            and typing is not None
            and typing is self._app.focused
            and key.is_printable
        )

    async def send(self, key: events.Key) -> None:
        """Hand a fresh key on and follow it: up from the widget it went to, or, when
        a priority binding handled it in the app before this returned, through the
        app's queue (and any screen it brought)."""
        app = self._app
        screen = app.screen
        self._writes |= started_writes(app)
        if screen is not self._gave_up_on and (self._writes or arriving(app)):
            if not self._writes:  # for this screen's focus: gone, they go with it
                self._waiting_for = screen
            self._waiting.appendleft(key)
            self._on_way = WAITING_FOCUS
            self._arm()
            if not screen.is_mounted:  # look again once it is (it may focus nothing)
                screen.call_later(app.call_later, self.focus_came)
            return
        joins = self._joins_run(key)
        await self._handle(key)
        if key.is_forwarded and joins:
            self._behind = True  # the follower laps again, behind this one
            return
        focused = app.focused
        text = key.is_forwarded and key.is_printable and isinstance(focused, (Input, TextArea))
        # a priority binding ran in the app: what it put in the app's queue (a focus,
        # Textual's `focus()` is a call later) and a screen it opened or closed come first
        self._last = (focused or app.screen) if key.is_forwarded else app
        self._last_screen, self._last_typing = screen, focused if text else None
        if self._waiting:
            self._set_out(self._last)

    def _set_out(self, last: DOMNode) -> None:
        """Follow the last key: up from where it went, or through the app's queue."""
        self._last = None
        self._typing = self._last_typing
        token = next(self._tokens)
        self._on_way, self._screen = token, self._last_screen
        if last is self._app:
            self._follow(last, token, LAPS)
        else:
            self._start = last
            self._follow(last, token)

    def _settled(self, last: DOMNode) -> bool:
        """Nothing is queued from where the last key went up to the app, on the screen
        it was typed on: it is done with (a handler, once started, runs to its end;
        only a queued message can still be ahead of the next key)."""
        app = self._app
        if app.message_queue_size or app.screen is not self._last_screen:
            return False
        node: DOMNode | None = last
        while node is not None and node is not app:
            if node.message_queue_size:
                return False
            node = node.parent
        return True

    def replay(self, keys: list[events.Key]) -> None:
        """Keys held elsewhere while they could go nowhere (a review opened again after
        its upgrade) go on first, in the order typed, before any typed since."""
        self._waiting.extendleft(reversed(keys))
        if self._waiting:
            self._arm()
            if not self._on_way:
                self._app.call_later(self._arrived, 0)

    async def writing(self, write: Worker[Any], running: bool) -> None:
        """A screen's write started, or its outcome (often another screen) was handled:
        keys wait meanwhile, as they would for someone who waits to see it."""
        if running:
            self._writes.add(write)
            return
        self._writes.discard(write)
        await self.focus_came()

    async def focus_came(self) -> None:
        """A widget took the focus, or the screen will give none: keys waiting go on
        (or wait again while the screen is still arriving)."""
        self._gave_up_on = None
        if self._on_way == WAITING_FOCUS:
            await self._arrived(WAITING_FOCUS)

    def _follow(self, node: DOMNode, token: int, lap: int = 1) -> None:
        """Wait in `node`'s queue, behind the key."""
        self._at = node
        if not node.call_later(self._passed, node, token, lap):  # closed: the key went no further
            self._app.call_later(self._passed, self._app, token, lap)

    def _passed(self, node: DOMNode, token: int, lap: int) -> None:
        """`node` has handled the key; bubbling on, it is in the parent's queue by now."""
        parent = node.parent
        if node is not self._app and parent is not None and node.is_attached:
            self._follow(parent, token, lap)
        elif lap == 1 and self._start is not None and self._start.is_attached:
            self._follow(self._start, token, LAPS)
        elif self._app.screen is not self._screen and lap < LAPS + SCREEN_LAPS:
            self._screen = self._app.screen  # it mounts and focuses before the next key
            self._follow(self._app.screen, token, lap + 1)
        else:
            self._app.call_later(self._arrived, token)

    async def _arrived(self, token: int) -> None:
        """The key is done with: the next ones go on, in order. Keys that waited for
        a screen's focus and that screen is gone (closed by something else than those
        keys) are dropped: they were typed for it, not for the screen now on view."""
        if token != self._on_way:
            return
        waited_for, self._waiting_for = self._waiting_for, None
        gone = waited_for is not None and waited_for not in self._app.screen_stack
        if token == WAITING_FOCUS and gone:
            self._waiting.clear()
        start = self._start
        if self._behind and start is not None and start.is_attached:
            self._behind = False  # characters went on behind the key: trail the last
            self._follow(start, token)
            return
        self._on_way, self._at, self._start, self._checks = 0, None, None, 0
        self._screen, self._typing, self._behind = None, None, False
        while self._waiting and (not self._on_way or self._joins_run(self._waiting[0])):
            await self.send(self._waiting.popleft())
        if not (self._waiting or self._on_way) and self._check is not None:
            self._check.stop()
            self._check = None

    def _arm(self) -> None:
        if self._check is None:
            self._check = self._app.set_interval(CHECK_S, self._still_on_way)

    async def _still_on_way(self) -> None:
        """The key's path lost a widget (it was removed), or an arriving screen gave no
        focus for a whole interval: the keys behind go on."""
        if self._on_way == WAITING_FOCUS:
            app = self._app
            self._checks += 1
            self._writes = {w for w in self._writes if w.node.is_attached}  # else none says
            if self._writes or arriving(app):
                if self._checks < GIVE_UP_CHECKS:
                    return
                self._gave_up_on, self._writes = app.screen, set()
            await self._arrived(WAITING_FOCUS)
            return
        at = self._at
        lost = at is None or (at is not self._app and not (at.is_attached and at.is_running))
        if self._on_way and lost:
            await self._arrived(self._on_way)
