"""Commands that start the app: open (a review in the terminal) and serve (a browser)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from gatebook.cli.context import (
    Context,
    fail,
    pass_context,
)
from gatebook.questionnaire.problems import SourceError
from gatebook.store import (
    StoreError,
)
from gatebook.terminal import echo
from gatebook.workspace import (
    WorkspaceError,
    check_home,
)


def run_app(obj: Context, review_id: str | None = None) -> None:
    """Start the terminal app (imports Textual only now, so scripts stay fast).

    A dumb terminal gets no colour escapes at all: the screen stays readable by its
    words and markers (severity as a word, focus as a bar, `[x]` for a selection)."""
    if os.environ.get("TERM") == "dumb":
        os.environ.setdefault("NO_COLOR", "1")
    from gatebook.tui.app import make_app

    try:
        check_home(obj.home)
        app = make_app(obj.home, obj.questionnaire_dirs, open_review_id=review_id)
    except (SourceError, StoreError, WorkspaceError) as error:
        fail(f"error: {error}")
    app.run()
    for path in app.recovered:
        echo(
            f"Some answers could not be saved; they are kept in {path}. "
            "`gatebook open` offers them back.",
            err=True,
        )
    if app.return_code:
        raise SystemExit(app.return_code)


@click.command("open")
@click.argument("review_id")
@pass_context
def open_command(obj: Context, review_id: str) -> None:
    """Open the app straight into a review, on the question you were last on.

    Example: gatebook open oqr-1a2b3c
    """
    from gatebook.questionnaire.ids import InvalidId, check_document_id

    try:
        check_document_id(review_id)
    except InvalidId as error:
        fail(f"error: {error}")
    run_app(obj, review_id)


@click.command("serve")
@click.option("--host", default="localhost", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Read the access token from FILE (for scripts) instead of making a random one.",
)
@click.option(
    "--public-host",
    metavar="NAME",
    help="The name browsers use to reach this machine (sent as Host); required to listen "
    "on anything but loopback.",
)
@pass_context
def serve_command(
    obj: Context, host: str, port: int, token_file: Path | None, public_host: str | None
) -> None:
    """Serve the app to a browser on this machine (works offline).

    For a colleague who joins from a laptop without a terminal. Each start makes a
    random access token and prints the URL with it (http://localhost:PORT/?token=...):
    a request without the token gets 403, and so does a WebSocket from another
    origin or a request for another Host (DNS rebinding). Each tab runs its own
    session on the same workspace. Stop with ctrl+c.

    Example: gatebook serve --port 8123
    """
    try:
        from gatebook.tui.serve import is_loopback, serve
    except ImportError as error:  # pragma: no cover - depends on the install
        fail(f"error: {error}. Install the extra: pip install 'gatebook[serve]'")
    token = None
    if token_file is not None:
        token = token_file.read_text(encoding="utf-8", errors="replace").strip()
        if len(token) < 16 or any(c.isspace() or not c.isprintable() for c in token):
            fail(f"error: {token_file}: the token must be at least 16 printable characters")
    if not is_loopback(host):
        if not public_host:
            fail(
                f"error: --host {host} makes the review reachable from the network; give "
                "--public-host NAME (the name browsers will use) to do that on purpose"
            )
        echo(
            f"WARNING: listening on {host}: anyone on the network who has the URL's token "
            "can type into your reviews.",
            err=True,
        )
    check_home(obj.home)
    serve(obj.home, obj.questionnaire_dirs, host, port, token=token, public_host=public_host)
