"""`gatebook verify`: is this committed plan still exactly what was signed off?

Three checks, each named in its message: the data block matches its digest; the
human-readable text is exactly what gatebook renders from that data (so an edit to
either is caught, down to one character); and, given an allowed-signers file,
every SSH signature verifies for the signer's recorded name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gatebook.plan.document import PlanError, parse_plan, review_from_data
from gatebook.plan.render import render_plan
from gatebook.plan.signoff import signed_message, ssh_verify
from gatebook.questionnaire.models import Questionnaire
from gatebook.store.canonical import digest_of
from gatebook.store.model import Review


@dataclass
class VerifyReport:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _first_difference(expected: str, found: str) -> str:
    want, got = expected.split("\n"), found.split("\n")
    for number, (a, b) in enumerate(zip(want, got, strict=False), start=1):
        if a != b:
            return f"line {number}: expected {a[:120]!r}, found {b[:120]!r}"
    if len(want) != len(got):
        return f"line {min(len(want), len(got)) + 1}: the file has {len(got) - len(want):+d} lines"
    return "line endings or trailing bytes differ"


def verify_plan(
    text: str,
    questionnaire_for: Callable[[Review], Questionnaire],
    allowed_signers: Path | None = None,
) -> VerifyReport:
    report = VerifyReport()
    try:
        parsed = parse_plan(text)
        review = review_from_data(parsed.data, now="")
    except PlanError as error:
        report.problems.append(str(error))
        return report
    digest = digest_of(parsed.data["content"])
    if parsed.data.get("digest") != digest:
        report.problems.append(
            f"line {parsed.data_line}: the data block changed: its content hashes to {digest}, "
            f"the plan says {parsed.data.get('digest')}"
        )
    for signoff in review.signoffs:
        if signoff.digest != digest:
            report.notes.append(
                f"sign-off by {signoff.name} ({signoff.role}) is void: it approved "
                f"{signoff.digest}, the content is now {digest}"
            )
    try:
        questionnaire = questionnaire_for(review)
    except Exception as error:  # a missing questionnaire is reported, never a traceback
        report.problems.append(f"cannot re-render: {error}")
        return report
    if questionnaire.version != review.version:
        report.problems.append(
            f"the plan was written with {review.questionnaire} {review.version}; this machine "
            f"has {questionnaire.version}, so its text cannot be checked"
        )
        return report
    expected = render_plan(review, questionnaire)
    if expected != text:
        report.problems.append(
            "the text differs from what gatebook renders from the plan's data ("
            + _first_difference(expected, text)
            + ")"
        )
    for signoff in review.signoffs:
        who = f"{signoff.name} ({signoff.role})"
        if signoff.signature is None:
            continue
        if allowed_signers is None:
            report.notes.append(
                f"SSH signature of {who}: present, not checked (no --allowed-signers)"
            )
            continue
        failure = ssh_verify(
            signed_message(review.id, signoff), signoff.signature, signoff.name, allowed_signers
        )
        if failure is None:
            report.notes.append(f"SSH signature of {who}: good")
        else:
            report.problems.append(f"SSH signature of {who} failed: {failure}")
    return report
