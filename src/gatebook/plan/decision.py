"""What blocks each sign-off decision, in one place: `gatebook signoff` refuses with
it and the app's sign-off dialog shows it before ctrl+s, so the two never disagree.

The words differ only in how they name the way out (`Hints`): the CLI names its
options, the app its fields and keys."""

from __future__ import annotations

from dataclasses import dataclass

from gatebook.engine import Evaluation
from gatebook.plan.report import (
    ESCALATE_HINT,
    below_target,
    escalation_state,
    sign_off_blockers,
)
from gatebook.questionnaire.models import Questionnaire
from gatebook.store.model import Review
from gatebook.store.resolve import open_conflicts_message


@dataclass(frozen=True)
class Hints:
    """How the refusals name the way out: the CLI's options, or the app's fields and
    keys (`APP_HINTS`), so a message never names a flag the screen has no way to give."""

    override: str = "--override REASON"
    comment: str = "--comment TEXT"
    escalate: str = ESCALATE_HINT
    conflicts: str | None = None
    """What settles a merge conflict, in place of the commands (None: the commands)."""


CLI_HINTS = Hints()
APP_HINTS = Hints(
    override="an Override reason (the field below)",
    comment="write them in the Comment field",
    escalate="(F4 on the summary records it)",
    conflicts="settle each on the review (F11 keeps ours, F12 takes theirs) first",
)


@dataclass(frozen=True)
class DecisionCheck:
    """What stands between one decision and its sign-off, as `signoff` refuses it:
    the one place the sign-off rules live (docs/contracts.md "Sign-off rules"), read by
    `gatebook signoff` and by the app's sign-off dialog before ctrl+s alike."""

    decision: str
    refused: str | None
    """A refusal no override lifts (open merge conflicts; an escalation decided stop)."""
    blockers: list[str]
    """Missing answers, high risks not addressed, a sign-off gate, an escalation due:
    each lifted only by an override reason."""
    below: str | None
    """The overall score below the target, or a gate short of its `approve_at`
    (`GATE M of K met, N needed`), joined by `; `: `approved` needs an override;
    `approved-with-conditions` needs the conditions in the comment (or an override)."""
    hints: Hints

    @property
    def needs_override(self) -> bool:
        """An override reason is what lets this decision through (nothing else does)."""
        if self.refused is not None:
            return False
        return bool(self.blockers) or (self.below is not None and self.decision == "approved")

    def refusal(self, comment: str, override: str | None) -> str | None:
        """The refusal for this decision with this comment and override, or None."""
        if self.refused is not None:
            return self.refused
        if override is not None:
            return None
        if self.blockers:
            return (
                "sign-off refused: "
                + "; ".join(self.blockers)
                + f". Answer or address them, or sign with {self.hints.override}."
            )
        if self.below is not None and self.decision == "approved":
            return f"sign-off refused: {self.below}: approve with conditions, or override"
        if self.below is not None and self.decision != "rejected" and not comment.strip():
            return (
                f"sign-off refused: {self.below}: approved-with-conditions needs the "
                f"conditions ({self.hints.comment}), or override"
            )
        return None

    def summary(self) -> str:
        """One line for the dialog: what blocks this decision and what lifts it."""
        if self.refused is not None:
            return f"{self.decision}: refused — {self.refused.removeprefix('sign-off refused: ')}"
        reasons = list(self.blockers)
        if self.below is not None and self.decision != "rejected":
            reasons.append(self.below)
        if not reasons:
            return f"{self.decision}: nothing blocks it"
        if self.needs_override:
            way = "needs an override reason"
        else:
            way = "needs the conditions in the comment"
        return f"{self.decision}: {'; '.join(reasons)} — {way}"


def check_decision(
    review: Review,
    questionnaire: Questionnaire,
    evaluation: Evaluation,
    decision: str,
    hints: Hints = CLI_HINTS,
) -> DecisionCheck:
    """What blocks `decision` on the review as it is (see DecisionCheck)."""
    refused = open_conflicts_message(review)
    if refused is not None and hints.conflicts is not None:
        refused = refused.split("; settle each")[0] + f"; {hints.conflicts}"
    if decision == "rejected":
        return DecisionCheck(decision, refused, [], None, hints)
    escalation = escalation_state(review, evaluation)
    if refused is None and escalation.stopped:
        assert escalation.record is not None
        refused = (
            f"sign-off refused: the escalation to {escalation.record.to} decided stop on "
            f"{escalation.record.date}; only `rejected` can be recorded"
        )
    blockers = sign_off_blockers(review, questionnaire, evaluation, hints.escalate)
    short = [status.short_of_approval for status in evaluation.gates.values()]
    below = "; ".join(
        reason for reason in (below_target(evaluation, questionnaire), *short) if reason
    )
    return DecisionCheck(decision, refused, blockers, below or None, hints)
