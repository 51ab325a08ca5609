"""Run the `gatebook` command in the test's workspace ($GATEBOOK_HOME, set per test).

`run_gatebook` runs it in-process with click's CliRunner (the same code, without
a Python start-up per call); `run_gatebook_process` starts a real process, for
what needs one: hang guards, signals, locks held by another process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import traceback

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
