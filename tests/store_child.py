"""A child process for the store tests: saves notes in a loop and reports each save.

Usage: python store_child.py HOME REVIEW_ID PREFIX COUNT
Prints the number of each save after the store call returned (flushed at once).
"""

from __future__ import annotations

import sys
from pathlib import Path

from gatebook.questionnaire.catalog import Catalog
from gatebook.store import Change, ReviewStore


def main() -> None:
    home, review_id, prefix, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    catalog = Catalog()
    store = ReviewStore(Path(home), lambda review: catalog.resolve(review.questionnaire))
    for i in range(count):
        store.update(review_id, [Change("note", f"{prefix}{i}", f"saved {i}")])
        sys.stdout.write(f"{i}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
