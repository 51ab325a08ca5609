"""Run the `gatebook` command in the test's workspace ($GATEBOOK_HOME, set per test).

`run_gatebook` runs it in-process with click's CliRunner (the same code, without
a Python start-up per call); `run_gatebook_process` starts a real process, for
what needs one: hang guards, signals, locks held by another process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import traceback
from typing import Any

from click.testing import CliRunner

from gatebook.cli import main


def run_gatebook(*args: str) -> subprocess.CompletedProcess[str]:
    """`gatebook ARGS` in-process; an uncaught exception shows as a traceback on stderr."""
    result = CliRunner().invoke(main, list(args), catch_exceptions=True)
    stderr = result.stderr
    code = result.exit_code
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
        code = 1
    return subprocess.CompletedProcess(["gatebook", *args], code, result.stdout, stderr)


def run_gatebook_process(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`python -m gatebook ARGS` in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "gatebook", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        check=False,
        timeout=timeout,
    )


def gb(*args: str) -> tuple[int, str, str]:
    """`gatebook ARGS` in-process: (exit status, stdout, stderr), never a traceback."""
    done = run_gatebook(*args)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout, done.stderr


def ok(*args: str) -> str:
    """`gatebook ARGS`, which must succeed: its stdout, stripped."""
    code, out, err = gb(*args)
    assert code == 0, err
    return out.strip()


def show(review_id: str, *options: str) -> dict[str, Any]:
    """`gatebook [OPTIONS] show REVIEW --format json`, parsed."""
    data: dict[str, Any] = json.loads(ok(*options, "show", review_id, "--format", "json"))
    return data
