"""`gatebook verify`: is this committed plan still exactly what was signed off?

Three checks: the data block matches its digest (`digest_ok`); the human-readable
text is exactly what gatebook renders from that data (`body_ok`: an edit to either,
or a status the data does not back, is caught down to one character); and each
sign-off gets one state, decided in this order (docs/contracts.md):
`superseded`, `void`, `unsigned`, `unchecked`, `unknown-signer`, `bad-signature`,
`legacy`, `valid`. A format-2 plan carries the questionnaire it shows, so it
verifies without the questionnaire file and whatever the built-ins become.

A format-5 plan's block digest binds the milestone its since chapter is derived
from; the derivation (and whether that milestone is signed) belongs to the milestone
layer, handed in as `since_for`. What binds less, or is not signed, is said in
`notes`; `require_signatures` turns "not bound" and a required role without a
valid sign-off into failures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gatebook.plan.document import (
    BOUND_FORMAT,
    SINCE_FORMAT,
    ParsedPlan,
    PlanError,
    block_digest,
    parse_plan,
    plan_questionnaire,
    review_from_data,
)
from gatebook.plan.render import render_plan
from gatebook.plan.signoff import signature_state
from gatebook.plan.since import BoundSince, SinceDeriver
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
FORMAT_4_NOTE = "since chapter: format 4 does not bind the milestone (re-export)"


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
    notes: list[str] = field(default_factory=list)
    """What the verdict does not say: a part bound by no digest, a milestone not signed."""
    bound: bool = True
    """Every byte the verdict covers is bound by a digest (a format-4 since chapter is
    not; a combined plan of format 1 binds neither members nor summary)."""
    required_roles: list[str] = field(default_factory=list)
    require_signatures: bool = False
    """`verify --require-signatures`: not bound, or a required role without a valid
    current sign-off, fails."""
    not_bound_why: str = ""
    """Why a plan is not bound (a format-1 combined plan binds neither its members nor
    its summary): `verify` says NOT BOUND and why."""

    @property
    def signatures_ok(self) -> bool:
        """With --allowed-signers: every current (not superseded) sign-off is valid."""
        if not self.checked_signatures:
            return True
        return all(s.state == "valid" for s in self.signoffs if s.state != "superseded")

    @property
    def ok(self) -> bool:
        unmet = self.require_signatures and bool(self.unmet_requirements())
        return (
            self.digest_ok
            and self.body_ok
            and self.signatures_ok
            and not self.problems
            and not unmet
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "ok": self.ok,
            "digest_ok": self.digest_ok,
            "body_ok": self.body_ok,
            "signoffs": [s.to_json() for s in self.signoffs],
            "notes": list(self.notes),
        }
        if not self.bound:
            data["bound"] = False
        return data

    def unmet_requirements(self) -> list[str]:
        """What `--require-signatures` asks and this plan lacks: to be bound, and a
        valid current sign-off of every required role."""
        current = {s.role: s for s in self.signoffs if s.state != "superseded"}
        reasons = [] if self.bound else ["the plan is not bound by its digests (re-export it)"]
        for role in self.required_roles:
            signoff = current.get(role)
            if signoff is None:
                reasons.append(f"required role {role} has no sign-off")
            elif signoff.state != "valid":
                reasons.append(f"required role {role} has no valid sign-off ({signoff.state})")
        return reasons

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
        if self.require_signatures:
            reasons += [f"--require-signatures: {r}" for r in self.unmet_requirements()]
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
    since_for: SinceDeriver | None = None,
) -> VerifyReport:
    """Check a plan's text. Raises PlanError (or SourceError for the questionnaire it
    carries) when the file is not a readable plan: that is exit 2, not a failed check.
    `since_for` derives a format-5 since chapter from the milestone it carries."""
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
    _check_block_digest(parsed, report)
    questionnaire = carried or _workspace_questionnaire(review, questionnaire_for, report)
    if questionnaire is None:
        return report
    report.required_roles = [role.id for role in questionnaire.signoff if role.required]
    since = parsed.data.get("since") if report.plan_format == SINCE_FORMAT else None
    if since is not None:
        report.bound = False
        report.notes.append(FORMAT_4_NOTE)
    bound = _bound_since(parsed, review, questionnaire, allowed_signers, since_for, report)
    try:
        expected = render_plan(
            review,
            questionnaire,
            plan_format=report.plan_format,
            since=since,
            bound_since=bound,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise PlanError(f"the data block's `since` cannot be shown ({error})") from None
    report.body_ok = expected == text
    if bound is None and report.plan_format >= BOUND_FORMAT and "since" in parsed.data:
        report.body_ok = False  # the chapter cannot be derived: the problem says why
    elif not report.body_ok:
        report.problems.append(
            "the text differs from what gatebook renders from the plan's data ("
            + _first_difference(expected, text)
            + ")"
        )
    report.signoffs = judge_signoffs(review, questionnaire, allowed_signers)
    return report


def _check_block_digest(parsed: ParsedPlan, report: VerifyReport) -> None:
    """Format 5: the whole block (the milestone a since chapter is derived from
    included) matches its `block_digest`."""
    if report.plan_format is None or report.plan_format < BOUND_FORMAT:
        return
    found, said = block_digest(parsed.data), parsed.data.get("block_digest")
    if found != said:
        report.digest_ok = False
        report.problems.append(
            f"line {parsed.data_line}: the data block changed: it hashes to {found}, "
            f"the plan says {str(said)[:80]}"
        )


def _bound_since(
    parsed: ParsedPlan,
    review: Review,
    questionnaire: Questionnaire,
    allowed_signers: Path | None,
    since_for: SinceDeriver | None,
    report: VerifyReport,
) -> BoundSince | None:
    """A format-5 plan's since chapter, derived from the milestone its block carries
    (None when there is none, or it cannot back a chapter: then a problem says why)."""
    if report.plan_format is None or report.plan_format < BOUND_FORMAT:
        return None
    if "since" not in parsed.data:
        return None
    milestone = parsed.data["since"]
    if milestone is None:
        report.problems.append(
            "since chapter: the data block's `since` is null, not a milestone file "
            "(export the plan again, with or without --since)"
        )
        return None
    if since_for is None:
        report.problems.append("since chapter: its milestone cannot be checked here")
        return None
    check = since_for(milestone, review, questionnaire, allowed_signers)
    report.problems += check.problems
    report.notes += check.notes
    return None if check.chapter is None else BoundSince(milestone, check.chapter)


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
                "unchecked": "signature not checked",
                "unknown-signer": f"no allowed-signers line for {signoff.name!r}",
                "bad-signature": f"the signature does not verify with {signoff.name!r}'s key",
                "legacy": "signed in format 1, which did not cover the comment and override: "
                "re-sign",
            }.get(state, "")
        verdicts.append(SignoffVerdict(signoff.role, signoff.name, signoff.decision, state, detail))
    return verdicts


__all__ = ["STATES", "PlanError", "SignoffVerdict", "VerifyReport", "verify_plan"]
