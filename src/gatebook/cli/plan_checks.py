"""Reading and checking plan files for `verify` and `import`: bounded reads, values
checked as typing them would be, and the verdict that decides whether an import may
write anything (docs/contracts.md "Plans")."""

from __future__ import annotations

from pathlib import Path

from gatebook.cli.common import EXIT_VERIFY, fail
from gatebook.engine.answers import stored_answer_problems
from gatebook.plan.document import PlanError
from gatebook.plan.verify import VerifyReport, verify_plan
from gatebook.questionnaire.models import Questionnaire
from gatebook.store import Review, ReviewStore
from gatebook.store.storage import TooLarge, os_error_reason, read_bounded
from gatebook.terminal import echo

MAX_PLAN_BYTES = 16 * 1024 * 1024


def read_plan_text(path: Path) -> str:
    """A plan's text, bounded: a plan is a document, never 16 MB."""
    try:
        raw = read_bounded(path, MAX_PLAN_BYTES)
    except OSError as error:
        fail(f"{path}:1:1: cannot read the plan: {os_error_reason(error)}")
    except TooLarge:
        fail(f"{path}:1:1: the plan is larger than {MAX_PLAN_BYTES // 2**20} MB, the limit")
    text = raw.decode("utf-8")
    if text.startswith("\ufeff"):
        fail(
            f"{path}:1:1: the plan starts with a byte order mark (BOM); gatebook writes "
            "UTF-8 without one: save it without the BOM, or export it again"
        )
    first = text.find("\n")
    if first > 0 and text[first - 1] == "\r":
        fail(
            f"{path}:1:{first}: the plan's lines end with CR LF; gatebook writes LF only "
            "(git may have converted it: add `*.md -text` to .gitattributes, or set "
            "core.autocrlf false, and check it out again)"
        )
    return text


def check_imported(path: Path, review: Review, questionnaire: Questionnaire) -> None:
    """An import is input: every value is checked as typing it would be (exit 2)."""
    problems = stored_answer_problems(
        questionnaire,
        review.answers,
        keyed={
            "note": review.notes,
            "not applicable": review.not_applicable,
            "follow-up": review.follow_ups,
        },
    )
    messages = [str(p) for p in problems]
    flag_ids = {risk.id for risk in questionnaire.risks}
    rows = set(review.risk_register)
    messages += [
        f"{key}: mitigation for an unknown flag or register row of {questionnaire.id}"
        for key in review.mitigations
        if key not in flag_ids and key not in rows
    ]
    messages += [
        f"{key}: register row names flag {row.flag!r}, not a flag of {questionnaire.id}"
        for key, row in review.risk_register.items()
        if row.flag is not None and (row.flag != key or key not in flag_ids)
    ]
    roles = {role.id for role in questionnaire.signoff}
    messages += [
        f"sign-off role {s.role!r} is not a role of {questionnaire.id}"
        for s in review.signoffs
        if roles and s.role not in roles
    ]
    if messages:
        shown = "\n".join(f"{path}: invalid value: {m}" for m in messages[:20])
        fail(shown + "\nnothing was imported")


def accept_report(label: str, report: VerifyReport, force: bool) -> None:
    """Exit 1 (nothing written) unless the plan verifies, or with --force only its
    text was edited (its data matching its digest): a binding that fails, a sign-off
    that is not valid, a since chapter that cannot be derived always refuse."""
    failures = report.failures() or ([] if report.ok else ["the plan does not verify"])
    if not failures:
        return
    blocking = failures
    if force and report.digest_ok:
        blocking = [reason for reason in failures if not reason.startswith("the text differs")]
    if blocking:
        for reason in blocking:
            echo(f"{label}: {reason}", err=True)
        fail(f"{label}: not imported (nothing was written)", EXIT_VERIFY)
    echo(f"{label}: the text was edited by hand; imported from its data block", err=True)


def run_verify_labelled(
    plan: Path, store: ReviewStore, allowed_signers: Path | None
) -> list[tuple[str, VerifyReport]]:
    """A plan's report; a combined engagement plan's, one per member (`FILE#ID`) and
    one for the engagement (`FILE#ENG_ID`)."""
    from gatebook.engagement.plan_text import is_engagement_plan
    from gatebook.engagement.plan_verify import verify_engagement_plan

    try:
        text = read_plan_text(plan)
    except UnicodeDecodeError as error:
        fail(f"{plan}:1:1: not UTF-8 text ({error.reason})")
    if not is_engagement_plan(text):
        return [(str(plan), run_verify(plan, store, allowed_signers))]
    try:
        return verify_engagement_plan(text, str(plan), store.questionnaire_for, allowed_signers)
    except PlanError as error:
        fail(f"{plan}:1:1: {error}")


def run_verify(plan: Path, store: ReviewStore, allowed_signers: Path | None) -> VerifyReport:
    """Verify one plan file; exit 2 with `file: reason` when it is not a readable plan."""
    try:
        from gatebook.milestone.bound import check_since

        return verify_plan(
            read_plan_text(plan),
            store.questionnaire_for,
            allowed_signers,
            filename=str(plan),
            since_for=check_since,
        )
    except UnicodeDecodeError as error:
        fail(f"{plan}:1:1: not UTF-8 text ({error.reason})")
    except PlanError as error:
        fail(f"{plan}:1:1: {error}")
