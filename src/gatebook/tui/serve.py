"""`gatebook serve`: the same app in a browser on this machine, with no internet.

textual-serve runs one `gatebook` process per browser tab. Its stock page loads a
web font from Google; the template in `serve_templates/` uses the font file
textual-serve ships instead, so the page works on an offline laptop.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

TEMPLATES = Path(__file__).parent / "serve_templates"


def app_command(home: Path, questionnaire_dirs: list[Path]) -> str:
    """The shell command textual-serve starts for each browser session."""
    argv = [sys.executable, "-m", "gatebook", "--home", str(home)]
    for folder in questionnaire_dirs:
        argv += ["--questionnaires", str(folder)]
    return shlex.join(argv)


def serve(home: Path, questionnaire_dirs: list[Path], host: str, port: int) -> None:
    """Serve until interrupted (ctrl+c)."""
    from textual_serve.server import Server

    server = Server(
        app_command(home, questionnaire_dirs),
        host=host,
        port=port,
        title="gatebook",
        templates_path=TEMPLATES,
    )
    server.serve()
