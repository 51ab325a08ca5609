"""Workspace folders a branch committed as symbolic links.

`.gitignore` keeps `trash/`, `locks/` and `recovery/` out of `git add -A`, but a
branch can force-add any path, and git checks a committed symbolic link out as a
link: a folder gatebook writes into could then point anywhere on the user's disk. A
folder the user linked is theirs (a shared reviews folder, say); one git tracks as a
link came from a branch, and nothing is written through it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from gatebook.store.errors import StoreError

WRITTEN_FOLDERS = ("reviews", "engagements", "milestones", "trash", "locks", "recovery")
GIT_LINK_MODE = "120000"


def refuse_committed_links(home: Path) -> None:
    """StoreError (exit 1) naming the first folder gatebook writes into that is a
    symbolic link git tracks. Costs an lstat per folder; git runs only for a link."""
    links = [name for name in WRITTEN_FOLDERS if (home / name).is_symlink()]
    if not links:
        return
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--stage", "--", *links],
            cwd=home, capture_output=True, text=True, check=False, timeout=60,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return  # no git: nothing was committed through it
    for line in listed.stdout.splitlines() if listed.returncode == 0 else []:
        mode, _, rest = line.partition(" ")
        name = rest.partition("\t")[2]
        if mode == GIT_LINK_MODE and name in links:
            raise StoreError(
                f"{home / name} is a symbolic link committed to git (to "
                f"{os.readlink(home / name)}); gatebook writes nothing through it: `git rm "
                f"{name}`, commit, and let gatebook make the folder again"
            )
