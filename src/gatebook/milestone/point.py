"""A point in a review's life, as `diff` compares it: a milestone, or `now`.

Both sides are the same plain data: the answers and N/A as the point's questionnaire
asks them, the flags and their severities, the scores, the gates, the register rows,
the outcomes and the sign-offs with their states, and the prompt of every question.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gatebook.questionnaire.models import Questionnaire
from gatebook.store.canonical import (
    canonical_content,
    questionnaire_digest,
    sha256_of,
    signoff_views,
)
from gatebook.store.model import Review

REGISTER_FIELDS = (
    "title",
    "severity",
    "likelihood",
    "impact",
    "mitigation",
    "contingency",
    "owner",
    "due",
    "status",
    "origin",
)
OUTCOME_FIELDS = (
    "title",
    "cbo",
    "metric",
    "baseline",
    "target",
    "by",
    "status",
    "evidence",
    "origin",
)
"""An outcome's fields as `diff` compares them (the row as stored: frozen in `content`)."""


@dataclass
class Point:
    name: str
    answers: dict[str, Any]
    not_applicable: dict[str, str]
    flags: dict[str, str]
    """Raised flag id -> severity."""
    scores: dict[str, float | None]
    overall: float | None
    target: float | None
    gates: dict[str, bool]
    register: dict[str, dict[str, Any]]
    outcomes: dict[str, dict[str, Any]]
    """Outcome id -> its fields, empty text as null (as `show --format json` writes them)."""
    signoffs: list[dict[str, Any]]
    """Each {role, name, decision, time, state}."""
    questions: dict[str, str]
    """Every question of the point's questionnaire: id -> prompt."""


def frozen_data(review: Review, questionnaire: Questionnaire) -> dict[str, Any]:
    """What a milestone stores of a review, now (without its name, time or digest)."""
    from gatebook.store.evaluation import evaluate_review

    evaluation = evaluate_review(questionnaire, review)
    return {
        "questionnaire": {
            "id": questionnaire.id,
            "version": review.version,
            "current_version": questionnaire.version,
            "digest": questionnaire_digest(questionnaire),
        },
        "content": canonical_content(review),
        "signoffs": [
            {**view.signoff.model_dump(mode="json", exclude={"void"}), "state": view.state}
            for view in signoff_views(review, questionnaire)
        ],
        "evaluation": {
            "flags": [
                {"id": f.id, "title": f.title, "severity": f.severity} for f in evaluation.flags
            ],
            "scores": evaluation.scores,
            "overall": evaluation.overall,
            "target": evaluation.target,
            "gates": {
                gate_id: {"passed": g.passed, "met": g.met, "total": g.total}
                for gate_id, g in evaluation.gates.items()
            },
            "register": [row.to_json() for row in evaluation.register],
        },
        "questions": _questions(review, questionnaire),
    }


def _questions(review: Review, questionnaire: Questionnaire) -> dict[str, str]:
    """Every question's prompt; a review about to move to a new questionnaire version
    also keeps the answers its questions no longer hold (their id is all we know), so
    the diff across the upgrade lists them."""
    questions = {q.id: q.prompt for q in questionnaire.questions()}
    if review.version != questionnaire.version:
        for key in review.answers:
            questions.setdefault(key, key)
    return questions


def point_from(name: str, data: dict[str, Any]) -> Point:
    """A point from frozen data (a milestone's, or `frozen_data` of the review now)."""
    content = data["content"]
    questions: dict[str, str] = data["questions"]
    evaluation = data["evaluation"]
    return Point(
        name=name,
        answers={k: v for k, v in content.get("answers", {}).items() if k in questions},
        not_applicable=dict(content.get("not_applicable", {})),
        flags={f["id"]: f["severity"] for f in evaluation["flags"]},
        scores=dict(evaluation["scores"]),
        overall=evaluation["overall"],
        target=evaluation["target"],
        gates={gate_id: bool(g["passed"]) for gate_id, g in evaluation["gates"].items()},
        register={
            row["id"]: {key: row.get(key) for key in REGISTER_FIELDS}
            for row in evaluation["register"]
        },
        outcomes={
            row_id: {key: row.get(key) or None for key in OUTCOME_FIELDS}
            for row_id, row in (content.get("outcomes") or {}).items()
        },
        signoffs=[
            {key: s.get(key) for key in ("role", "name", "decision", "time", "state")}
            for s in data["signoffs"]
        ],
        questions=questions,
    )


def now_point(review: Review, questionnaire: Questionnaire) -> Point:
    return point_from("now", frozen_data(review, questionnaire))


def digest_of_frozen(data: dict[str, Any]) -> str:
    """A milestone's own digest: everything it holds but the digest itself."""
    return sha256_of({key: value for key, value in data.items() if key != "digest"})
