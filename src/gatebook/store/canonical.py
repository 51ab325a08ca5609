"""The canonical form of a review's content, its digest, and what its sign-offs mean.

A sign-off records the digest of the content it approved; when the content changes
the digest no longer matches and the sign-off is void until signed again. The
status a review or a plan shows (`draft`, `partially-signed`, `signed`, `rejected`,
`void`) and the state of each sign-off are computed here, from the data, every
time: the CLI, the app and the plan all call these functions and never trust a
status written anywhere (docs/contracts.md "Status and sign-off state").
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from gatebook.store.model import Review, Signoff

if TYPE_CHECKING:
    from gatebook.questionnaire.models import Questionnaire

BaseState = Literal["superseded", "void", "current"]


def canonical_content(review: Review) -> dict[str, Any]:
    """Everything a sign-off approves: not the sign-offs, history or cursor position.

    `id` is the review's stable id (where it was signed), so a plan imported under a
    new local id keeps its digest and its sign-offs. The risk register, the outcomes
    register, the escalation record and the meetings are there once something is
    written in them (so a review without them keeps the digest it was signed with
    before they existed).
    """
    content: dict[str, Any] = {
        "questionnaire": review.questionnaire,
        "version": review.version,
        "id": review.origin or review.id,
        "title": review.title,
        "subject": review.subject,
        "answers": review.answers,
        "notes": review.notes,
        "not_applicable": review.not_applicable,
        "follow_ups": sorted(review.follow_ups),
        "mitigations": review.mitigations,
    }
    if review.risk_register:
        content["risk_register"] = {
            key: row.model_dump(mode="json") for key, row in review.risk_register.items()
        }
    if review.outcomes:
        content["outcomes"] = {
            key: row.model_dump(mode="json") for key, row in review.outcomes.items()
        }
    if review.escalation is not None:
        content["escalation"] = review.escalation.model_dump(mode="json")
    if review.meetings:
        content["meetings"] = [m.model_dump(mode="json") for m in review.meetings]
    return content


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def sha256_of(data: Any) -> str:
    encoded = canonical_json(data).encode("utf-8", errors="surrogatepass")
    return "sha256:" + hashlib.sha256(encoded).hexdigest()


def digest_of(content: dict[str, Any]) -> str:
    """sha256 over the canonical JSON of a review's content."""
    return sha256_of(content)


def content_digest(review: Review) -> str:
    return digest_of(canonical_content(review))


def questionnaire_snapshot(questionnaire: Questionnaire) -> dict[str, Any]:
    """The questionnaire as data: what a plan carries so it verifies without the file
    (its examples are tests of the file, not part of what the plan shows). A
    questionnaire read from a plan keeps the exact data it was read from, so a newer
    gatebook with more questionnaire keys re-renders an older plan byte for byte."""
    carried: dict[str, Any] | None = getattr(questionnaire, "_snapshot", None)
    if carried is not None:
        return carried
    data = questionnaire.model_dump(mode="json", exclude={"examples", "stage"})
    if not data.get("outcomes"):  # the key came later: questionnaires without it keep
        data.pop("outcomes", None)  # their digest (docs/authoring.md "Outcomes")
    for section in data["sections"]:
        for question in section["questions"]:
            _drop_engagement_keys(question)
    for gate in data.get("gates") or []:  # issue 33: delivery (`approve_at` only when set)
        if gate.get("approve_at") is None:
            gate.pop("approve_at", None)
    return data


def _drop_engagement_keys(question: dict[str, Any]) -> None:
    """`stage` and `shared` place a questionnaire in an engagement; they change nothing a
    plan shows, so they stay out of its digest (marking a built-in's questions shared
    voids no sign-off given before)."""
    question.pop("shared", None)
    for column in question.get("columns") or []:
        _drop_engagement_keys(column)


def questionnaire_digest(questionnaire: Questionnaire) -> str:
    cached: str | None = getattr(questionnaire, "_snapshot_digest", None)
    if cached is None:
        cached = sha256_of(questionnaire_snapshot(questionnaire))
        questionnaire._snapshot_digest = cached
    return cached


def field_digests(review: Review) -> dict[str, str]:
    """A short digest per content field and per answer, so a void sign-off can say
    what changed since it was given."""
    content = canonical_content(review)
    digests = {key: sha256_of(value)[7:23] for key, value in content.items() if key != "answers"}
    digests.update(
        {f"answers.{key}": sha256_of(value)[7:23] for key, value in content["answers"].items()}
    )
    return digests


def current_signoffs(review: Review) -> dict[str, Signoff]:
    """The latest sign-off per role (a role that signs again replaces its earlier one)."""
    latest: dict[str, Signoff] = {}
    for signoff in review.signoffs:
        latest[signoff.role] = signoff
    return latest


def is_void(signoff: Signoff, digest: str, approved_questionnaire: str | None = None) -> bool:
    """True when the sign-off approved other content (or, for sign-offs that record
    it, a plan showing another questionnaire)."""
    if signoff.digest != digest:
        return True
    return (
        signoff.questionnaire_digest is not None
        and approved_questionnaire is not None
        and signoff.questionnaire_digest != approved_questionnaire
    )


def changed_since(signoff: Signoff, review: Review, questionnaire_now: str | None) -> list[str]:
    """Which fields changed since a void sign-off, as far as it recorded them."""
    changed: list[str] = []
    if (
        signoff.questionnaire_digest is not None
        and questionnaire_now is not None
        and signoff.questionnaire_digest != questionnaire_now
    ):
        changed.append("questionnaire")
    if signoff.fields is None:
        return changed or (["content"] if signoff.digest != content_digest(review) else [])
    now = field_digests(review)
    keys = sorted(set(now) | set(signoff.fields))
    changed += [key for key in keys if now.get(key) != signoff.fields.get(key)]
    return changed


@dataclass(frozen=True)
class SignoffView:
    """A sign-off as the data says it stands now."""

    signoff: Signoff
    state: BaseState
    changed: list[str] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return self.state != "superseded"


def signoff_views(review: Review, questionnaire: Questionnaire | None) -> list[SignoffView]:
    """Every sign-off in order: superseded (a later one of its role replaced it), void
    (it approved other content: the fields that changed are named), or current."""
    latest = current_signoffs(review)
    digest = content_digest(review) if review.signoffs else ""  # a draft needs none
    approved = questionnaire_digest(questionnaire) if questionnaire is not None else None
    views: list[SignoffView] = []
    stable_id = review.origin or review.id
    for signoff in review.signoffs:
        if latest.get(signoff.role) is not signoff:
            views.append(SignoffView(signoff, "superseded"))
        elif signoff.review is not None and signoff.review != stable_id:
            views.append(SignoffView(signoff, "void", ["review"]))
        elif is_void(signoff, digest, approved):
            views.append(SignoffView(signoff, "void", changed_since(signoff, review, approved)))
        else:
            views.append(SignoffView(signoff, "current"))
    return views


def review_status(review: Review, questionnaire: Questionnaire | None) -> str:
    """draft, partially-signed, signed, rejected or void (docs/contracts.md)."""
    views = [v for v in signoff_views(review, questionnaire) if v.current]
    if not views:
        return "draft"
    if any(v.state == "void" for v in views):
        return "void"
    if any(v.signoff.decision == "rejected" for v in views):
        return "rejected"
    roles = {v.signoff.role for v in views}
    required = (
        [r.id for r in questionnaire.signoff if r.required] if questionnaire is not None else []
    )
    if all(role in roles for role in required):
        return "signed"
    return "partially-signed"


def roles_to_sign(review: Review, questionnaire: Questionnaire | None) -> list[str]:
    """Whose sign-off the review waits for before it is `signed`, in the questionnaire's
    order: each required role with no current approval of the content as it is (none
    yet, void, or rejected), and any other role whose current sign-off is void or
    rejected (it holds the status back too). What the app names after `sign REVIEW`."""
    if questionnaire is None:
        return []
    current = {v.signoff.role: v for v in signoff_views(review, questionnaire) if v.current}

    def waits_for(role: str, required: bool) -> bool:
        view = current.get(role)
        if view is None:
            return required
        return view.state == "void" or view.signoff.decision == "rejected"

    return [r.id for r in questionnaire.signoff if waits_for(r.id, r.required)]
