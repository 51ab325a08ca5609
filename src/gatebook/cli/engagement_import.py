"""`gatebook import` of a combined engagement plan: the engagement and its reviews,
checked as `verify` checks them, then written all or nothing."""

from __future__ import annotations

import contextlib
from pathlib import Path

from pydantic import ValidationError

from gatebook.cli.common import EXIT_VERIFY, fail
from gatebook.cli.plan_checks import accept_report, check_imported, read_plan_text
from gatebook.engagement.model import Engagement
from gatebook.engagement.plan_read import engagement_record, read_combined
from gatebook.engagement.plan_verify import EngagementReport, verify_engagement_plan
from gatebook.engagement.store import EngagementStore
from gatebook.plan.document import PlanError
from gatebook.store import Review, ReviewStore, StoreError
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
    written: list[str] = []
    try:
        saved_ids = []
        for review in reviews:
            stamped = review.model_copy(update={"created": store.clock(), "updated": store.clock()})
            saved = store.save_imported(stamped, replace=replace)
            written.append(saved.id)
            saved_ids.append(saved.id)
        made = _save_engagement(engagements, engagement, saved_ids, replace=replace)
    except StoreError:
        for review_id in written:  # all or nothing: what was written goes again
            with contextlib.suppress(StoreError):
                store.delete(review_id)
        raise
    for review_id in saved_ids:
        echo(f"imported {review_id}", err=True)
    echo(made.id)


def _save_engagement(
    engagements: EngagementStore, engagement: Engagement, members: list[str], *, replace: bool
) -> Engagement:
    exists = engagements.path_of(engagement.id).exists()
    if exists and not replace:
        fresh = engagements.create(
            engagement.title, start=engagement.start, shared=engagement.shared
        )

        def fill(found: Engagement) -> None:
            found.members = members

        return engagements.modify(fresh.id, fill)
    if exists:

        def refill(found: Engagement) -> None:
            found.title, found.start, found.shared = (
                engagement.title,
                engagement.start,
                engagement.shared,
            )
            found.members = members

        return engagements.modify(engagement.id, refill)
    created = engagement.model_copy(update={"members": members})
    engagements.write_new(created)
    return created
