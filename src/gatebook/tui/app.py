"""The gatebook Textual app and `make_app`, the one factory for CLI, tests and screenshots."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Callable, Iterable
from os import _exit  # the documented exit without cleanup (a hang-up: below)
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:  # the session is imported when a review opens, not at start
    from gatebook.tui.host import AppHost
    from gatebook.tui.session import ReviewSession

from gatebook.collector import collect_after_first_frame, paused_for_start_up
from gatebook.demo import DEMO_ANSWERS, DEMO_TITLE
from gatebook.questionnaire.catalog import Catalog
from gatebook.questionnaire.problems import SourceError
from gatebook.store import ReviewStore, StoreError
from gatebook.tui.host import LastSigner
from gatebook.tui.key_order import KeyOrder, KeysMayGo
from gatebook.tui.screens.home import HomeScreen
from gatebook.tui.screens.modals import Confirm
from gatebook.tui.widgets.footer import key_label, keys_label
from gatebook.workspace import (
    load_settings,
    make_catalog,
    open_store,
    questionnaire_source,
    save_settings,
)

WRITES = ("write", "milestone")
"""The worker groups that write files: a hang-up lets a running one end."""

HANG_UP_WRITES_S = 10.0
"""How long a hang-up waits for a write already running (a milestone, a stage) to end."""


class GatebookApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "gatebook"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("f1", "help", "Help", id="app.help"),
        Binding("question_mark", "help", "Help", id="app.help_key", show=False),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    def __init__(
        self,
        store: ReviewStore,
        catalog: Catalog,
        *,
        open_review_id: str | None = None,
        offer_demo: bool = True,
    ) -> None:
        plain = bool(os.environ.get("NO_COLOR")) or os.environ.get("TERM") == "dumb"
        # NO_COLOR: no colour escapes at all (Textual's NoColor filter needs ansi colours);
        # focus and cursors then show by reverse video and markers (app.tcss, -no-color).
        super().__init__(ansi_color=True if plain else None)
        self.plain = plain
        self.store = store
        self.catalog = catalog
        self.open_review_id = open_review_id
        self.offer_demo = offer_demo
        self.last_deleted: str | None = None
        self.last_signer: LastSigner | None = None
        """Who signed last, with which key: the sign-off dialog fills them in."""
        self.recovered: list[Path] = []
        self.sessions: list[ReviewSession] = []
        """The open reviews, oldest first: what quitting or a hang-up must save."""
        self._demo_made = False
        self._held_keys: list[tuple[str, str | None]] | None = None
        """Keys typed while a review is opened again after its upgrade (`_reopen`)."""
        self.key_order = KeyOrder(self, self._fresh_key)
        """Keys handed on one at a time, in the order typed (tui/key_order.py)."""
        self.settings = load_settings(store.home)
        theme = self.settings.get("theme")
        if isinstance(theme, str) and theme in self.available_themes:
            self.theme = theme

    def get_default_screen(self) -> Screen[None]:
        """The home screen, after a first start on an empty workspace made the demo."""
        if self.offer_demo:
            self._demo_made = self._create_demo_once()
        return HomeScreen()

    def on_mount(self) -> None:
        if paused_for_start_up():  # started by `gatebook` (gatebook/collector.py)
            self.call_after_refresh(collect_after_first_frame)
        self.set_class(self.plain, "-no-color")
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        loop = asyncio.get_running_loop()
        for name, handler in (("SIGHUP", self._hang_up), ("SIGTERM", self._terminate)):
            # POSIX; the loop refuses off the main thread (RuntimeError) and on loops
            # without signal support (a RuntimeError subclass)
            if hasattr(signal, name):
                with contextlib.suppress(RuntimeError, ValueError):
                    loop.add_signal_handler(getattr(signal, name), handler)
        self._settle_journal()
        if self._demo_made:
            self.notify("A demo OQR review is ready: press enter to open it.", timeout=6)
        if self.open_review_id:
            self.open_review(self.open_review_id)

    def _settle_journal(self) -> None:
        """An interrupted change across files (store/journal.py): completed or rolled
        back at start, and said so; one that cannot be followed is shown at once."""
        from gatebook.store.journal import settle

        try:
            settled = settle(self.store.home)
        except StoreError as error:
            self.notify(str(error), title="Not saved", severity="error", timeout=20)
            return
        if settled is not None:
            self.notify(settled.message, title="Interrupted change", timeout=10)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed worker is reported (a screen hands its workers'
        failures here): a notification naming what failed and why, and the app goes on.
        A file that cannot be read never ends the app."""
        worker = event.worker
        if event.state != WorkerState.ERROR:
            return
        what = worker.description or worker.name or "A background task"
        error = worker.error
        expected = isinstance(error, (StoreError, SourceError))  # their messages say it all
        why = str(error) if expected else f"{type(error).__name__}: {error}"
        self.notify(why, title=f"{what} failed", severity="error", timeout=12, markup=False)

    def _create_demo_once(self) -> bool:
        """A first start on an empty workspace brings a ready demo review."""
        if self.settings.get("demo_offered") or self.store.summaries():
            return False
        try:
            questionnaire = self.catalog.resolve("oqr")
            self.store.create(
                questionnaire, DEMO_TITLE, subject="Northwind Traders", answers=DEMO_ANSWERS
            )
        except (SourceError, StoreError):  # a read-only workspace or a broken tailored oqr
            return False
        self.settings["demo_offered"] = True
        save_settings(self.store.home, self.settings)
        return True

    def _remember_theme(self, theme: object) -> None:
        self.settings["theme"] = self.theme
        save_settings(self.store.home, self.settings)

    def _hang_up(self) -> None:
        """SSH dropped: write what is pending, remember the position, and go."""
        self.close_reviews()
        self.call_later(self._leave_after_hang_up)

    async def _leave_after_hang_up(self) -> None:
        """Once a write running off the event loop has finished (bounded), leave at
        once. The terminal is gone: Textual's restoring it could wait for ever on an
        output queue nothing drains any more (seen in 3 of 4 tmux `kill-server` runs:
        the process stayed, asleep, after everything was saved)."""
        writes = [w for w in self.workers if w.group in WRITES and not w.is_finished]
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.workers.wait_for_complete(writes), HANG_UP_WRITES_S)
        self.close_reviews()  # a write's outcome may have opened another
        _exit(129)

    def _terminate(self) -> None:
        """`kill` or a closing multiplexer: save, restore the terminal, exit 143."""
        self.close_reviews()
        self.exit(return_code=143)

    def close_session(self, session: ReviewSession) -> Path | None:
        """Save what is pending and forget the session; what cannot be saved goes to a
        recovery file (returned)."""
        path = session.close()
        if session in self.sessions:
            self.sessions.remove(session)
        if path is not None:
            self.recovered.append(path)
        return path

    def close_reviews(self) -> list[Path]:
        """Save every open review; what cannot be saved goes to recovery files."""
        paths = [self.close_session(session) for session in self.sessions[:]]
        return [path for path in paths if path is not None]

    def confirm_leaving(
        self, sessions: list[ReviewSession], verb: str, leave: Callable[[], object]
    ) -> None:
        """Unsaved -> flush -> confirm -> recovery, for leaving a review or quitting:
        wait (bounded) for the saver; what still cannot be saved is named, and leaving
        anyway puts it in a recovery file that opening the review offers back."""
        unsaved = [s for s in sessions if s.has_unsaved and not s.flush(2.0)]
        if not unsaved:
            leave()
            return
        reason = next((s.save_error for s in unsaved if s.save_error), None)

        def done(confirmed: bool | None) -> None:
            if confirmed:
                leave()

        self.push_screen(
            Confirm(
                f"Some answers are not saved ({reason or 'still saving'}). {verb} anyway? "
                "They are kept in a recovery file that opening the review offers back."
            ),
            done,
        )

    async def action_quit(self) -> None:
        """Quit; with answers that cannot be saved, ask first (they go to recovery)."""

        def leave() -> None:
            self.close_reviews()
            self.exit()

        self.confirm_leaving(self.sessions, "Quit", leave)

    def open_review(self, review_id: str, *, new: bool = False) -> None:
        """Open a review; a new one opens with the session dialog (who is on the call).
        A review on an earlier version of its questionnaire opens as it is, judged
        against that version; its first change upgrades it (`hold_first_change`)."""
        from gatebook.milestone.service import pending_upgrade  # loaded when first needed

        try:
            review = self.store.get(review_id)
            questionnaire = self.store.questionnaire_for(review)
            upgrade = pending_upgrade(self.store, review)
        except (StoreError, SourceError) as error:
            self.notify(str(error), title="Cannot open review", severity="error", timeout=10)
            return
        from gatebook.tui.screens.review import ReviewScreen  # loaded when first needed
        from gatebook.tui.session import ReviewSession

        session = ReviewSession(self.store, review, questionnaire)
        if upgrade is not None:
            from gatebook.milestone.service import upgrade_note

            session.upgrade = upgrade
            session.on_first_change = lambda: self._first_change(session)
            note = upgrade_note(upgrade.questionnaire, upgrade.from_version, upgrade.to_version)
            self.notify(f"This review is on {note}.", timeout=8)
        self.sessions.append(session)
        screen = ReviewScreen(session)
        self.push_screen(screen)
        if new:
            screen.action_sessions()  # on top of the review at once: keys typed next go to it

    # ---- issue 33: versions (docs/contracts.md "Versions") ------------------------------

    def _first_change(self, session: ReviewSession) -> None:
        """The first change of a review on an earlier version is held: with sign-offs to
        void, ask first (upgrade and make the change, or keep the review as it is);
        without, upgrade at once."""
        from gatebook.tui.screens.modals import UpgradeConfirm

        upgrade = session.upgrade
        if upgrade is None or not upgrade.voided:
            self._held_keys = self._held_keys or []  # typed on meanwhile: for the new screen
            self.call_later(self._upgrade_session, session, True)
            return
        self.push_screen(
            UpgradeConfirm(upgrade.voids_line() + "."),
            lambda yes: self._upgrade_session(session, bool(yes)),
        )

    def _upgrade_session(self, session: ReviewSession, upgrade: bool) -> None:
        """Upgrade (`before-upgrade-N`, then the live version) and write the held
        changes, or drop them; then open the review again, built for its version."""
        from gatebook.engagement.members import write_changes
        from gatebook.milestone.service import upgrade_first

        held, session.held = session.held or [], None
        review_id = session.review.id
        if upgrade:
            try:
                name = upgrade_first(self.store, self.store.get(review_id))
                live = self.store.upgrade_target(self.store.get(review_id))
                if held:
                    write_changes(self.store, review_id, held, live, coalesce=True)
            except (StoreError, SourceError) as error:
                self.notify(str(error), title="Not upgraded", severity="error", timeout=12)
                name = None
            if name is not None:
                self.notify(
                    f"Upgraded to {live.id} {live.version}: took milestone {name} first; "
                    f"F7 marks the answers changed since (gatebook diff {review_id} {name}).",
                    timeout=8,
                )
        self._reopen(session)

    def _reopen(self, session: ReviewSession) -> None:
        from gatebook.tui.screens.review import ReviewScreen

        screens = [s for s in self.screen_stack if isinstance(s, ReviewScreen)]
        target = next((s for s in screens if s.session is session), None)
        session.on_first_change = None
        self._held_keys = self._held_keys or []
        if session.position:  # the new screen opens where this one was
            with contextlib.suppress(StoreError, OSError):
                self.store.set_position(session.review.id, session.position)
        if target is not None:
            while self.screen is not target:
                self.pop_screen()
            self.pop_screen()
        self.open_review(session.review.id)
        self.call_after_refresh(self._replay_keys)

    async def on_event(self, event: events.Event) -> None:
        """A key typed goes on once the one before it is done with (tui/key_order.py)."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            if not self.key_order.hold(event):
                await self.key_order.send(event)
            return
        await super().on_event(event)

    async def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        await self.key_order.focus_came()

    async def on_keys_may_go(self, event: KeysMayGo) -> None:
        if event.write is not None:
            await self.key_order.writing(event.write, event.running)
        else:
            await self.key_order.focus_came()

    async def _fresh_key(self, key: events.Key) -> None:
        """While a review is opened again after its upgrade, keys typed wait for it."""
        held = self._held_keys
        if held is not None:
            held.append((key.key, key.character))
            return
        await super().on_event(key)

    def _replay_keys(self, tries: int = 0) -> None:
        """The keys held during the swap, to the new review screen once a field has focus;
        never to another screen (a dialog such as a recovery offer would take them as
        answers), where they are dropped."""
        from gatebook.tui.screens.review import ReviewScreen

        screen = self.screen
        if isinstance(screen, ReviewScreen) and screen.focused is None and tries < 50:
            self.call_after_refresh(self._replay_keys, tries + 1)
            return
        keys, self._held_keys = self._held_keys or [], None
        if isinstance(screen, ReviewScreen):  # before any key typed since (tui/key_order.py)
            self.key_order.replay([events.Key(key, character) for key, character in keys])

    def create_review(self, questionnaire_id: str, title: str, copy_from: str | None) -> None:
        """Start a review from a questionnaire id or file (YAML or AWS lens JSON)."""
        try:
            questionnaire = self.catalog.resolve(questionnaire_id)
        except SourceError as error:
            self.notify(str(error), title="Cannot use that questionnaire", severity="error")
            return
        answers = {}
        try:
            if copy_from:
                source = self.store.get(copy_from)
                answers = {k: v for k, v in source.answers.items() if questionnaire.question(k)}
            review = self.store.create(
                questionnaire,
                title,
                answers=answers,
                questionnaire_path=questionnaire_source(questionnaire_id),
            )
        except StoreError as error:
            self.notify(str(error), title="Cannot start the review", severity="error")
            return
        if copy_from:
            self.notify(f"Copied {len(answers)} answers with shared question ids.")
        self.open_review(review.id, new=True)

    def action_help(self) -> None:
        from gatebook.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def on_cursor_position(self, event: events.CursorPosition) -> None:
        """xterm and tmux send shift+F3 as `ESC [1;2R`, which Textual reads as a cursor
        position report (row 1, column 2) that this full-screen app never asks for:
        it is pressed as F15, the name other terminals give shift+F3."""
        if (event.x, event.y) == (1, 0):
            self.simulate_key("f15")

    def get_key_display(self, binding: Binding) -> str:
        """Keys as typed (`?`, `ctrl+s`) wherever Textual names one, as our footer does."""
        return binding.key_display or key_label(binding.key)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The palette offers every action of the current screen, not just the app's."""
        yield from super().get_system_commands(screen)
        seen: set[str] = set()
        for binding in type(screen).BINDINGS:
            if isinstance(binding, Binding) and binding.description and binding.action not in seen:
                seen.add(binding.action)
                action = binding.action
                yield SystemCommand(
                    f"{binding.description} ({keys_label(binding.key)})",
                    binding.tooltip or binding.description,
                    self._runner(screen, action),
                )

    def _runner(self, screen: Screen[object], action: str) -> Callable[[], None]:
        def run() -> None:
            self.call_later(screen.run_action, action)

        return run


def make_app(
    home: Path,
    questionnaire_dirs: Iterable[Path] = (),
    *,
    open_review_id: str | None = None,
    offer_demo: bool = True,
    store: ReviewStore | None = None,
) -> GatebookApp:
    """Build the app for a workspace; the CLI, the tests and the screenshots all call this."""
    catalog = make_catalog(home, tuple(questionnaire_dirs))
    return GatebookApp(
        store or open_store(home, catalog),
        catalog,
        open_review_id=open_review_id,
        offer_demo=offer_demo,
    )


if TYPE_CHECKING:  # mypy checks that the app is what its screens are handed (tui/host.py)
    _APP_IS_A_HOST: type[AppHost] = GatebookApp
