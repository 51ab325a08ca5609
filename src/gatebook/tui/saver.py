"""Saving off the event loop, in order, with nothing lost on error, exit or hang-up.

The screen hands changes to `Saver.put`; one background thread writes them to
the store in order. A failed save (disk full, read-only folder, a lock held too
long, anything) never stops the thread and never drops a change: the changes
stay pending, the screen is told at once, and the next change, `flush()`
(ctrl+s) or a timed retry tries again. `flush()` waits for the pending changes
with a timeout and says whether they reached the disk; `close()` returns what
could not be saved, for the recovery file.

While someone types, the thread waits for a pause of QUIET_S (never more than
MAX_WAIT_S after the first unsaved change) and writes the keystrokes as one batch:
a write per key would compete with the next key for the interpreter.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from gatebook.store import Change, ReviewStore, StoreError
from gatebook.store.storage import os_error_reason

SavedCallback = Callable[[str | None], None]
WriteBatch = Callable[[list[Change]], None]
RETRY_S = 10.0
FLUSH_TIMEOUT_S = 5.0
QUIET_S = 0.15
MAX_WAIT_S = 1.0


def describe_error(error: BaseException) -> str:
    """A short reason a person can act on: "disk full", "permission denied", ..."""
    if isinstance(error, StoreError):
        return str(error).removeprefix("not saved: ")
    if isinstance(error, OSError):
        return os_error_reason(error)
    return f"{type(error).__name__}: {error}"


class Saver:
    def __init__(
        self,
        store: ReviewStore,
        review_id: str,
        on_saved: SavedCallback,
        write: WriteBatch | None = None,
    ) -> None:
        """`write` stores one batch (default: `store.update` with coalescing); the
        session passes one that also writes shared answers to the engagement's other
        members."""
        self.store = store
        self.review_id = review_id
        self.on_saved = on_saved
        self.write = write or (lambda batch: self._update(batch))
        self._pending: list[Change] = []
        self._attempts = 0
        self._done_attempts = 0
        self._stopping = False
        self._urgent = False
        self._first_put = 0.0
        self._last_put = 0.0
        self.error: str | None = None
        self._wake = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="gatebook-saver", daemon=True)
        self._thread.start()

    def _update(self, batch: list[Change]) -> None:
        self.store.update(self.review_id, batch, coalesce=True)

    # ---- the screen's side ----------------------------------------------------------

    def put(self, changes: list[Change]) -> None:
        with self._wake:
            now = time.monotonic()
            waiting = bool(self._pending) and self.error is None
            if not self._pending:
                self._first_put = now
            self._last_put = now
            self._pending.extend(changes)
            self._attempts += 1
            if not waiting:
                self._wake.notify_all()
            # else: the thread already waits for a pause in typing; it wakes at its
            # deadline and finds the later keystroke (no thread switch on every key)

    def unsaved(self) -> list[Change]:
        """Changes not yet on disk (queued, being written, or failed)."""
        with self._wake:
            return list(self._pending)

    @property
    def has_unsaved(self) -> bool:
        with self._wake:
            return bool(self._pending)

    def flush(self, timeout: float = FLUSH_TIMEOUT_S) -> bool:
        """Wait until every change is on disk, or one retry after a failure has failed,
        or `timeout` passes; True when nothing is left unsaved. Never waits forever."""
        deadline = time.monotonic() + timeout
        with self._wake:
            if not self._pending:
                return True
            self._attempts += 1
            self._urgent = True
            attempt_goal = self._attempts
            self._wake.notify_all()
            while self._pending and self._thread.is_alive():
                if self.error is not None and self._done_attempts >= attempt_goal:
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._wake.wait(min(left, 0.1))
            return not self._pending

    def close(self, timeout: float = FLUSH_TIMEOUT_S) -> list[Change]:
        """Flush, stop the thread, and return what could not be saved."""
        self.flush(timeout)
        with self._wake:
            self._stopping = True
            self._urgent = True
            self._wake.notify_all()
        self._thread.join(timeout=1.0)
        return self.unsaved()

    # ---- the thread -----------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._stopping and not self._due():
                    self._wake.wait(RETRY_S if self.error else None)
                    if self.error and not self._due():
                        self._attempts += 1  # the timed retry
                self._typing_pause()
                if self._stopping:
                    return
                batch = list(self._pending)
                goal = self._attempts
                self._urgent = False
            error: str | None = None
            try:
                self.write(batch)
            except Exception as failure:
                error = describe_error(failure)
            with self._wake:
                if error is None:
                    del self._pending[: len(batch)]
                self.error = error
                self._done_attempts = goal
                self._wake.notify_all()
            self.on_saved(error)

    def _typing_pause(self) -> None:
        """Wait (holding the condition's lock only while waiting) for a pause in typing."""
        while not self._stopping and not self._urgent and self.error is None:
            now = time.monotonic()
            left = min(self._last_put + QUIET_S, self._first_put + MAX_WAIT_S) - now
            if left <= 0:
                return
            self._wake.wait(left)

    def _due(self) -> bool:
        """Something to write: new changes since the last attempt, or a retry asked for."""
        if not self._pending:
            return False
        if self.error is None:
            return True
        return self._attempts > self._done_attempts
