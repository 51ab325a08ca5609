"""Shared fixtures: every test gets its own workspace, never the developer's data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from gatebook.questionnaire import Questionnaire, load_questionnaire

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    monkeypatch.setenv("GATEBOOK_HOME", str(home))
    monkeypatch.setenv("GATEBOOK_USER", "tester")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)  # no developer's signing key
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    yield home


@pytest.fixture
def no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    """Screens as a terminal without colour draws them (`usefixtures("no_color")`)."""
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.fixture(scope="session")
def every_type() -> Questionnaire:
    return load_questionnaire(DATA / "every_type.yaml")


@pytest.fixture(scope="session")
def oqr() -> Questionnaire:
    return load_questionnaire(ROOT / "questionnaires" / "oqr.yaml")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


os.environ.setdefault("TZ", "UTC")
