"""An engagement run as on a call (OQR, PESA, S2D, DQI, risks carried along), made
with fixed ids and clock, for the readability tests and snapshots (issue 34)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.app import App

from gatebook.engagement.members import create_member
from gatebook.engagement.store import EngagementStore
from gatebook.tui.app import GatebookApp

from .tui_support import deterministic_app

RISKY_OQR: dict[str, Any] = {
    "customer": "Acme",
    "opportunity": "Data platform",
    "tcv_usd": 6_200_000,
    "contract_type": "tm",
    "production_access": True,
    "partner_count": 2,
    "partner_responsibilities_clear": False,
}
STAKEHOLDERS = [
    {
        "name": "Maria Gonzalez-Fernandez",
        "role": "Chief Information Officer",
        "influence": "decision_maker",
        "stance": "champion",
        "contact": "maria.gonzalez@acme.example",
    },
    {
        "name": "Tom Li",
        "role": "Head of Platform Engineering",
        "influence": "influencer",
        "stance": "skeptic",
        "contact": "tom.li@acme.example",
    },
]


@dataclass
class Run:
    app: GatebookApp
    engagement: str
    oqr: str
    pesa: str
    s2d: str
    dqi: str


class FixedToken:
    """`secrets` for the engagement store: one fixed engagement id (`eng-a1b2c3`)."""

    @staticmethod
    def token_hex(count: int) -> str:
        return "a1b2c3"


def engagement_run(home: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setattr("gatebook.engagement.store.secrets", FixedToken)
    app = deterministic_app(home, offer_demo=False)
    store, catalog = app.store, app.catalog
    engagement = EngagementStore(store).create(
        "Acme data platform", start="2026-10-01", shared={"customer": "Acme"}
    )

    def member(qid: str, title: str, answers: dict[str, Any] | None = None) -> str:
        made = create_member(
            store, engagement.id, catalog.resolve(qid), title, override="test", answers=answers
        )
        return made.review.id

    oqr = member("oqr", "Acme OQR", RISKY_OQR)
    pesa = member("pesa", "Acme PESA")
    s2d = member(
        "s2d",
        "Acme S2D",
        {
            "stakeholder_map": STAKEHOLDERS,
            "known_risks": [{"risk": "Partner staffing open", "owner": "Partner lead"}],
        },
    )
    dqi = member("dqi", "Acme DQI 1")
    return Run(app, engagement.id, oqr, pesa, s2d, dqi)


def screen_text(app: App[Any]) -> str:
    """What the terminal shows, as text (no colour, no style)."""
    with open(os.devnull, "w") as sink:
        console = Console(width=app.size.width, file=sink, color_system=None)
        text = app.screen._compositor.render_full_update().render_segments(console)
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)
