"""The canonical form of a review's content, its digest, and the status it implies.

A sign-off records the digest of the content it approved; when the content
changes the digest no longer matches and the sign-off is void until signed again.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from gatebook.questionnaire.models import Questionnaire
from gatebook.store.model import Review, Signoff


def canonical_content(review: Review) -> dict[str, Any]:
    """Everything a sign-off approves: not the sign-offs, history or cursor position."""
    return {
        "questionnaire": review.questionnaire,
        "version": review.version,
        "id": review.id,
        "title": review.title,
        "subject": review.subject,
        "answers": review.answers,
        "notes": review.notes,
        "not_applicable": review.not_applicable,
        "follow_ups": sorted(review.follow_ups),
        "mitigations": review.mitigations,
    }


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest_of(content: dict[str, Any]) -> str:
    """sha256 over the canonical JSON of a review's content."""
    return "sha256:" + hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def content_digest(review: Review) -> str:
    return digest_of(canonical_content(review))


def current_signoffs(review: Review) -> dict[str, Signoff]:
    """The latest sign-off per role (a role that signs again replaces its earlier one)."""
    latest: dict[str, Signoff] = {}
    for signoff in review.signoffs:
        latest[signoff.role] = signoff
    return latest


def is_void(signoff: Signoff, digest: str) -> bool:
    return signoff.digest != digest


def review_status(review: Review, questionnaire: Questionnaire | None) -> str:
    """draft, partially-signed, signed, rejected or void (DOMAIN.md's contract)."""
    latest = current_signoffs(review)
    if not latest:
        return "draft"
    digest = content_digest(review)
    if any(is_void(s, digest) for s in latest.values()):
        return "void"
    if any(s.decision == "rejected" for s in latest.values()):
        return "rejected"
    required = (
        [r.id for r in questionnaire.signoff if r.required] if questionnaire is not None else []
    )
    if required and all(role in latest for role in required):
        return "signed"
    if not required and latest:
        return "signed"
    return "partially-signed"
