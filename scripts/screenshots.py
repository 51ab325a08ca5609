"""`make screenshots`: the app saves SVGs of its main screens for the README.

Runs the real app headless on a throwaway workspace (the demo review, a fixed
clock) and calls `App.save_screenshot` on each screen, so the pictures in the
README are what a consultant sees, never drawn by hand.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
import tempfile
from pathlib import Path

from gatebook.tui.app import GatebookApp, make_app
from gatebook.workspace import make_catalog, open_store

FIXED_TIME = "2026-11-24T09:00:00Z"

# (file name, terminal size, keys pressed from the home screen)
SHOTS: list[tuple[str, tuple[int, int], list[str]]] = [
    ("home.svg", (120, 32), []),
    ("review.svg", (120, 40), ["enter"]),
    ("review-80x24.svg", (80, 24), ["enter"]),
    ("summary.svg", (120, 40), ["enter", "f8"]),
    ("help.svg", (100, 32), ["enter", "question_mark"]),
]


def _app(home: Path) -> GatebookApp:
    catalog = make_catalog(home)
    store = open_store(home, catalog)
    counter = itertools.count(1)
    store.clock = lambda: FIXED_TIME
    store.new_id = lambda prefix: f"{prefix}-demo{next(counter):02d}"
    return make_app(home, store=store)


async def _shoot(out: Path, name: str, size: tuple[int, int], keys: list[str]) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        app = _app(Path(tmp) / "ws")
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            app.clear_notifications()
            for key in keys:
                await pilot.press(key)
                await pilot.pause()
            app.clear_notifications()
            await pilot.pause()
            path = app.save_screenshot(filename=name, path=str(out))
    return Path(path)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0] if args else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    for name, size, keys in SHOTS:
        print(asyncio.run(_shoot(out, name, size, keys)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
