"""Run the real `gatebook` command in a child process, in the test's workspace."""

from __future__ import annotations

import os
import subprocess
import sys


def run_gatebook(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m gatebook ARGS`; the workspace is $GATEBOOK_HOME, set per test."""
    return subprocess.run(
        [sys.executable, "-m", "gatebook", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        check=False,
    )
