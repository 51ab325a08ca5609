"""Who and when a change is recorded as: the store's defaults, replaced in tests."""

from __future__ import annotations

import datetime as dt
import getpass
import os


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def current_user() -> str:
    env = os.environ.get("GATEBOOK_USER")
    if env:
        return env
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no passwd entry
        return "unknown"
