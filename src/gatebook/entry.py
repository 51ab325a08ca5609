"""The `gatebook` command's entry point: the CLI, started without the cyclic collector
(gatebook/collector.py says why and when it comes back)."""

from __future__ import annotations

from gatebook.collector import pause_for_start_up


def main() -> None:
    pause_for_start_up()
    from gatebook.cli import main as cli

    cli()
