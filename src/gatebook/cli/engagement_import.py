"""`gatebook import` of a combined engagement plan: the engagement and its reviews,
checked as `verify` checks them, then written all or nothing."""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import ValidationError

from gatebook.cli.common import EXIT_VERIFY, fail
from gatebook.cli.plan_checks import accept_report, check_imported, read_plan_text
from gatebook.engagement.model import Engagement
from gatebook.engagement.plan_read import engagement_record, read_combined
from gatebook.engagement.plan_verify import EngagementReport, verify_engagement_plan
from gatebook.engagement.store import EngagementStore
from gatebook.plan.document import PlanError
from gatebook.store import Review, ReviewStore
from gatebook.store.journal import changing
from gatebook.terminal import echo


def import_engagement(
    store: ReviewStore, plan: Path, *, replace: bool, allowed: Path | None, force: bool
) -> None:
    text = read_plan_text(plan)
    try:
        reports = verify_engagement_plan(text, str(plan), store.questionnaire_for, allowed)
        record = engagement_record(read_combined(text))
    except PlanError as error:
        fail(f"{plan}:1:1: {error}")
    reviews: list[Review] = []
    for label, report in reports:
        if report.review is None:  # the engagement's own entry: summary and binding
            if report.ok:
                continue
            if not (force and isinstance(report, EngagementReport) and report.text_only):
                for reason in report.failures():
                    echo(f"{label}: {reason}", err=True)
                fail(f"{plan}: not imported (nothing was written)", EXIT_VERIFY)
            continue
        check_imported(plan, report.review, store.questionnaire_for(report.review))
        accept_report(label, report, force)
        reviews.append(report.review)
    try:
        engagement = Engagement.model_validate(
            {
                **record,
                "created": store.clock(),
                "updated": store.clock(),
                "members": [review.id for review in reviews],
            }
        )
    except (ValidationError, AttributeError) as error:
        fail(f"{plan}:1:1: the engagement data block does not describe an engagement ({error})")
    engagements = EngagementStore(store)
    stamp = {"created": store.clock(), "updated": store.clock()}
    imported = [store.imported_as(r.model_copy(update=stamp), replace=replace) for r in reviews]
    engagement = _engagement_as(engagements, engagement, replace=replace)
    engagement.members = [review.id for review in imported]
    paths = [*(store.path_of(r.id) for r in imported), engagements.path_of(engagement.id)]
    with changing(store.home, paths) as change:  # all or nothing (store/journal.py)
        for review in imported:
            store.stage_import(change, review, replace=replace)
        if replace and engagements.path_of(engagement.id).exists():

            def refill(found: Engagement) -> None:
                found.title, found.start = engagement.title, engagement.start
                found.shared, found.members = engagement.shared, engagement.members

            engagements.stage_modify(change, engagement.id, refill)
        else:
            engagements.stage_new(change, engagement)
    for review in imported:
        echo(f"imported {review.id}", err=True)
    echo(engagement.id)


def _engagement_as(
    engagements: EngagementStore, engagement: Engagement, *, replace: bool
) -> Engagement:
    """The engagement under its own id, or a new one when that id is taken and not
    `replace`."""
    if replace or not engagements.path_of(engagement.id).exists():
        return engagement
    fresh = engagement.id
    while engagements.path_of(fresh).exists():
        fresh = f"eng-{secrets.token_hex(3)}"
    return engagement.model_copy(update={"id": fresh})
