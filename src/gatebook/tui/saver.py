"""Saving off the event loop, in order, with nothing lost on exit or hang-up.

The screen hands changes to `Saver.put`; one background thread writes them to
the store in order. `flush()` waits until everything queued is on disk: called
on exit and on SIGHUP, so an answer the person saw accepted survives a dropped
SSH link.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

from gatebook.store import Change, ReviewStore, StoreError

SavedCallback = Callable[[str | None], None]


class Saver:
    def __init__(self, store: ReviewStore, review_id: str, on_saved: SavedCallback) -> None:
        self.store = store
        self.review_id = review_id
        self.on_saved = on_saved
        self._queue: queue.Queue[list[Change] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="gatebook-saver", daemon=True)
        self._thread.start()

    def put(self, changes: list[Change]) -> None:
        self._queue.put(changes)

    def _take_batch(self) -> tuple[list[Change], int, bool]:
        """Everything queued right now, as one batch: fast typing costs one write."""
        first = self._queue.get()
        batch, taken, stop = list(first or []), 1, first is None
        while not stop:
            try:
                more = self._queue.get_nowait()
            except queue.Empty:
                break
            taken += 1
            if more is None:
                stop = True
            else:
                batch.extend(more)
        return batch, taken, stop

    def _run(self) -> None:
        while True:
            batch, taken, stop = self._take_batch()
            try:
                if batch:
                    self.store.update(self.review_id, batch, coalesce=True)
                    self.on_saved(None)
            except StoreError as error:
                self.on_saved(str(error))
            finally:
                for _ in range(taken):
                    self._queue.task_done()
            if stop:
                return

    def flush(self) -> None:
        """Block until every queued change is written."""
        self._queue.join()

    def close(self) -> None:
        self.flush()
        self._queue.put(None)
        self._thread.join(timeout=5)
