"""`gatebook verify`: is this committed plan still exactly what was signed off?

Three checks: the data block matches its digest (`digest_ok`); the human-readable
text is exactly what gatebook renders from that data (`body_ok`: an edit to either,
or a status the data does not back, is caught down to one character); and each
sign-off gets one state, decided in this order (docs/contracts.md):
`superseded`, `void`, `unsigned`, `unchecked`, `unknown-signer`, `bad-signature`,
`legacy`, `valid`. A format-2 plan carries the questionnaire it shows, so it
verifies without the questionnaire file and whatever the built-ins become.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gatebook.plan.document import PlanError, parse_plan, plan_questionnaire, review_from_data
from gatebook.plan.render import render_plan
from gatebook.plan.signoff import signature_state
from gatebook.questionnaire.models import Questionnaire
from gatebook.questionnaire.source import SourceError
from gatebook.store.canonical import digest_of, questionnaire_digest, signoff_views
from gatebook.store.model import Review

STATES = (
    "superseded",
    "void",
    "unsigned",
    "unchecked",
    "unknown-signer",
    "bad-signature",
    "legacy",
    "valid",
)


@dataclass(frozen=True)
class SignoffVerdict:
    role: str
    name: str
    decision: str
    state: str
    detail: str = ""

    def to_json(self) -> dict[str, str]:
        return {
            "role": self.role,
            "name": self.name,
            "decision": self.decision,
            "state": self.state,
        }


@dataclass
class VerifyReport:
    digest_ok: bool = False
    body_ok: bool = False
    signoffs: list[SignoffVerdict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    checked_signatures: bool = False
    review: Review | None = None
    plan_format: int | None = None
    bound: bool = True
    """False when the file's format binds less than it shows (a format-1 combined plan
    binds neither its members nor its summary): `verify` says NOT BOUND and why."""
    not_bound_why: str = ""

    @property
    def signatures_ok(self) -> bool:
        """With --allowed-signers: every current (not superseded) sign-off is valid."""
        if not self.checked_signatures:
            return True
        return all(s.state == "valid" for s in self.signoffs if s.state != "superseded")

    @property
    def ok(self) -> bool:
        return self.digest_ok and self.body_ok and self.signatures_ok and not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "digest_ok": self.digest_ok,
            "body_ok": self.body_ok,
            "signoffs": [s.to_json() for s in self.signoffs],
        }

    def failures(self) -> list[str]:
        """Why `ok` is false, one reason a line."""
        reasons = list(self.problems)
        if self.checked_signatures:
            reasons += [
                f"sign-off of {s.name} ({s.role}) is {s.state}"
                + (f": {s.detail}" if s.detail else "")
                for s in self.signoffs
                if s.state not in ("valid", "superseded")
            ]
        return reasons


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
    *,
    filename: str = "plan",
) -> VerifyReport:
    """Check a plan's text. Raises PlanError (or SourceError for the questionnaire it
    carries) when the file is not a readable plan: that is exit 2, not a failed check."""
    report = VerifyReport(checked_signatures=allowed_signers is not None)
    parsed = parse_plan(text)
    review = review_from_data(parsed.data, now="")
    report.review = review
    report.plan_format = int(parsed.data["gatebook_plan"])
    digest = digest_of(parsed.data["content"])
    carried = plan_questionnaire(parsed, filename)
    report.digest_ok = parsed.data.get("digest") == digest
    if not report.digest_ok:
        report.problems.append(
            f"line {parsed.data_line}: the data block changed: its content hashes to {digest}, "
            f"the plan says {parsed.data.get('digest')}"
        )
    if carried is not None and parsed.data.get("questionnaire_digest") != questionnaire_digest(
        carried
    ):
        report.digest_ok = False
        report.problems.append(
            f"line {parsed.data_line}: the questionnaire in the data block changed since export"
        )
    questionnaire = carried or _workspace_questionnaire(review, questionnaire_for, report)
    if questionnaire is None:
        return report
    since = parsed.data.get("since") if report.plan_format >= 4 else None
    try:
        expected = render_plan(review, questionnaire, plan_format=report.plan_format, since=since)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise PlanError(f"the data block's `since` cannot be shown ({error})") from None
    report.body_ok = expected == text
    if not report.body_ok:
        report.problems.append(
            "the text differs from what gatebook renders from the plan's data ("
            + _first_difference(expected, text)
            + ")"
        )
    report.signoffs = judge_signoffs(review, questionnaire, allowed_signers)
    return report


def _workspace_questionnaire(
    review: Review, questionnaire_for: Callable[[Review], Questionnaire], report: VerifyReport
) -> Questionnaire | None:
    """A format-1 plan does not carry its questionnaire: use the one installed here."""
    try:
        questionnaire = questionnaire_for(review)
    except (SourceError, OSError) as error:
        report.problems.append(f"cannot re-render: {error}")
        return None
    if questionnaire.version != review.version:
        report.problems.append(
            f"the plan was written with {review.questionnaire} {review.version}; this machine "
            f"has {questionnaire.version}, so its text cannot be checked"
        )
        return None
    return questionnaire


def judge_signoffs(
    review: Review, questionnaire: Questionnaire, allowed_signers: Path | None
) -> list[SignoffVerdict]:
    """One state per sign-off, in the order of docs/contracts.md."""
    verdicts: list[SignoffVerdict] = []
    stable_id = review.origin or review.id
    for view in signoff_views(review, questionnaire):
        signoff = view.signoff
        if view.state == "superseded":
            state, detail = "superseded", "a later sign-off of the same role replaced it"
        elif view.state == "void":
            state = "void"
            detail = "approved other content; changed since: " + (
                ", ".join(view.changed) or "content"
            )
        else:
            state = signature_state(stable_id, signoff, allowed_signers)
            detail = {
                "unsigned": "no SSH signature",
                "unchecked": "signed, not checked (no --allowed-signers)",
                "unknown-signer": f"no allowed-signers line for {signoff.name!r}",
                "bad-signature": f"the signature does not verify with {signoff.name!r}'s key",
                "legacy": "signed in format 1, which did not cover the comment and override: "
                "re-sign",
            }.get(state, "")
        verdicts.append(SignoffVerdict(signoff.role, signoff.name, signoff.decision, state, detail))
    return verdicts


__all__ = ["STATES", "PlanError", "SignoffVerdict", "VerifyReport", "verify_plan"]
