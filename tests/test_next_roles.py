"""`Next: … sign REVIEW` on the engagement screen says whose sign-off is missing
(issue 34's closing note): `sign REVIEW_ID as ROLE: WORDS`. The step's `reason` itself
is unchanged: it is in `engagement show --format json` and in every combined plan's
summary, which `verify` re-derives byte for byte, so only the screen adds the roles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from gatebook.engagement.next_step import with_roles
from gatebook.plan.signoff import make_signoff
from gatebook.store.canonical import roles_to_sign
from gatebook.store.model import Review
from gatebook.tui.app import GatebookApp

from .cli_support import run_gatebook
from .test_tui_engagement_steps import engagement_with, open_engagement, settle


def sign(app: GatebookApp, review_id: str, role: str, decision: str = "approved") -> Review:
    """One role records a decision, as `gatebook signoff ... --override` records it."""
    review = app.store.get(review_id)
    signoff = make_signoff(
        review,
        app.store.questionnaire_for(review),
        role=role,
        name="Ana",
        decision=decision,
        comment="c",
        time="2026-11-24T09:00:00Z",
        override="test",
    )
    return app.store.modify(review_id, lambda current: current.signoffs.append(signoff))


@pytest.mark.parametrize(
    ("roles", "said"),
    [
        ((), "sign pesa-1: the PESA is required before the SOW"),
        (
            ("engagement_lead",),
            "sign pesa-1 as engagement_lead: the PESA is required before the SOW",
        ),
        (
            ("security_reviewer", "engagement_lead"),
            "sign pesa-1 as security_reviewer and engagement_lead: the PESA is required before "
            "the SOW",
        ),
        (("a", "b", "c"), "sign pesa-1 as a, b and c: the PESA is required before the SOW"),
    ],
)
def test_with_roles_names_them_after_the_id(roles: tuple[str, ...], said: str) -> None:
    assert with_roles("sign pesa-1: the PESA is required before the SOW", roles) == said


def test_with_roles_leaves_any_other_reason_alone() -> None:
    for reason in ("the PESA is required before the SOW", "next inspection due 2027-01-01: x"):
        assert with_roles(reason, ("engagement_lead",)) == reason


def test_roles_to_sign_follow_the_status(tmp_path: Path) -> None:
    """Required roles with no current approval, in the questionnaire's order; a void or
    rejected sign-off waits again; an optional role only while it holds the status back."""
    app, _, (oqr,) = engagement_with(tmp_path, "oqr")
    questionnaire = app.catalog.resolve("oqr")
    review = app.store.get(oqr)
    assert roles_to_sign(review, questionnaire) == ["engagement_lead", "reviewer"]
    review = sign(app, oqr, "reviewer")
    assert roles_to_sign(review, questionnaire) == ["engagement_lead"]
    review = sign(app, oqr, "delivery_manager", "rejected")  # optional, but it rejects
    assert roles_to_sign(review, questionnaire) == ["engagement_lead", "delivery_manager"]
    review = sign(app, oqr, "delivery_manager", "approved-with-conditions")
    review = sign(app, oqr, "engagement_lead")
    assert roles_to_sign(review, questionnaire) == []
    review = app.store.modify(oqr, lambda current: current.answers.update(customer="Other"))
    assert roles_to_sign(review, questionnaire) == [  # void: everyone signs again
        "engagement_lead",
        "reviewer",
        "delivery_manager",
    ]


def next_line(screen: Any) -> str:
    return str(screen.query_one("#engagement-next", Static).render())


async def test_the_engagement_screen_says_whose_sign_off_is_missing(tmp_path: Path) -> None:
    app, engagement, (_, pesa, _) = engagement_with(tmp_path, "oqr", "pesa", "s2d")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_engagement(pilot, app, engagement)
        assert next_line(screen).startswith(
            f"Next: sow (pesa) — sign {pesa} as security_reviewer and engagement_lead: "
            "the PESA is required before the SOW"
        )
        sign(app, pesa, "security_reviewer")
        screen.action_reload()
        await settle(pilot, lambda: "as engagement_lead:" in next_line(screen))
        assert f"sign {pesa} as engagement_lead: the PESA" in next_line(screen)
        assert screen.view is not None and screen.view.next_step is not None
        reason = screen.view.next_step.reason  # what JSON and the plan say: as it was
        assert reason == f"sign {pesa}: the PESA is required before the SOW"

    shown = run_gatebook("--home", str(tmp_path / "ws"), "engagement", "show", engagement,
                         "--format", "json")  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    step = json.loads(shown.stdout)["next_step"]
    assert step == {"stage": "sow", "questionnaire": "pesa", "reason": reason}


async def test_an_okr_step_to_sign_names_the_role_too(tmp_path: Path) -> None:
    app, engagement, (_, plan) = engagement_with(tmp_path, "okr-intake", "okr-plan")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_engagement(pilot, app, engagement)
        assert f"sign {plan} as md_vp: the MD/VP approves the plan" in next_line(screen)
