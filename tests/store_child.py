"""A child process for the store tests: saves notes in a loop and reports each save.

Usage: python store_child.py HOME REVIEW_ID PREFIX COUNT
Prints the number of each save after the store call returned (flushed at once).
With PREFIX `--starts`, it instead starts gatebook's store COUNT times in a row, each
start writing once (a start's first write is when it cleans up stale temp files).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from gatebook.questionnaire.catalog import Catalog
from gatebook.store import Change, ReviewStore


def main() -> None:
    home, review_id, prefix, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    catalog = Catalog()
    if prefix == "--starts":
        for i in range(count):
            fresh = ReviewStore(Path(home), lambda review: catalog.resolve(review.questionnaire))
            fresh.set_position(review_id, f"q{i % 2}")
        return
    if os.environ.get("SLOW_DISK"):  # a slow disk, at the OS boundary: temps live longer
        real_fsync = os.fsync

        def slow_fsync(fd: int) -> None:
            time.sleep(0.01)
            real_fsync(fd)

        os.fsync = slow_fsync
    store = ReviewStore(Path(home), lambda review: catalog.resolve(review.questionnaire))
    for i in range(count):
        store.update(review_id, [Change("note", f"{prefix}{i}", f"saved {i}")])
        sys.stdout.write(f"{i}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
