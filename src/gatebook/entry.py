"""The `gatebook` command's entry point: the CLI, started without the cyclic collector.

Importing the CLI, Textual and the store makes a few hundred thousand long-lived
objects, and the collector walked them again and again while they were made (about
18 ms of a start-up that is budgeted at 1.3 times a bare Textual app's). Nothing made
before the first screen is garbage worth finding, so the collector is off until then:
a command turns it back on as it starts (`gatebook.cli.main`), the app after its first
frame (`GatebookApp.on_mount`), having frozen what start-up made.
"""

from __future__ import annotations

import gc


def main() -> None:
    gc.disable()
    from gatebook.cli import main as cli

    cli()
