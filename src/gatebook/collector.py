"""The cyclic garbage collector around start-up and an open review, in one place.

Importing the CLI, Textual and the store makes a few hundred thousand long-lived
objects, and the collector walked them again and again while they were made (about
18 ms of a start-up budgeted at 1.3 times a bare Textual app's). Nothing made before
the first screen is garbage worth finding, so `gatebook` starts with the collector off
(`pause_for_start_up`, gatebook/entry.py). A subcommand turns it back on as it starts
(`collect_for_command`); the app, after its first frame, freezes what start-up made and
turns it on (`collect_after_first_frame`). While a review is open, what was alive when
it was drawn lives until it closes: it is kept out of the collector's full passes,
whose 40-90 ms pauses otherwise landed on keys (`hold_open_review`).
"""

from __future__ import annotations

import gc


def pause_for_start_up() -> None:
    gc.disable()


def paused_for_start_up() -> bool:
    return not gc.isenabled()


def collect_for_command() -> None:
    gc.enable()


def collect_after_first_frame() -> None:
    gc.freeze()
    gc.enable()


def hold_open_review() -> None:
    gc.freeze()


def release_open_review() -> None:
    gc.unfreeze()
