"""The plan's machine-readable block: the review's canonical data, and reading it back.

The block is a fenced code block (info string `json gatebook-data`) inside a
collapsed `<details>`, so a code host shows a tidy plan and `git diff` shows one
key per line. JSON escapes `` ` ``, `<`, `>` and `&` as `\\u....`, so no typed text
can close the fence or reach the page as HTML.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from gatebook.questionnaire.catalog import SUFFIXES
from gatebook.questionnaire.ids import is_identifier
from gatebook.questionnaire.models import Questionnaire
from gatebook.store.canonical import (
    canonical_content,
    digest_of,
    questionnaire_digest,
    questionnaire_snapshot,
    sha256_of,
)
from gatebook.store.model import Review, Signoff

DATA_INFO = "json gatebook-data"
PLAN_FORMAT = 5
"""Format 5 is format 3 (chapters) with the register's `From` column for carried rows
and a digest over the whole block (`block_digest`); with `export --since NAME` its
block carries the stored milestone file under `since`, and `verify` derives the
chapter from it. Format 2 carries the questionnaire it shows; every older format
keeps verifying."""
PLAN_FORMATS = (1, 2, 3, 4, 5)
SINCE_FORMAT = 4
"""Format 4 is format 3 with the chapter "Since milestone NAME" (`export --since`); its
data block carries what that chapter shows under `since`, bound by nothing."""
BOUND_FORMAT = 5
INERT_JSON = {"`": "\\u0060", "<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


class PlanError(Exception):
    """The file is not a gatebook plan, or its data block cannot be read."""


def plan_data(
    review: Review,
    questionnaire: Questionnaire,
    plan_format: int = PLAN_FORMAT,
    since: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What the block carries: canonical content, its digest, the sign-offs, and (from
    format 2) the questionnaire the body is rendered from, with its digest."""
    content = canonical_content(review)
    data: dict[str, Any] = {
        "gatebook_plan": plan_format,
        "digest": digest_of(content),
        "content": content,
        "signoffs": [
            s.model_dump(mode="json", exclude={"void"}, exclude_none=True) for s in review.signoffs
        ],
    }
    if plan_format >= 2:
        data["review"] = review.id  # the local id this copy shows; not signed
        data["questionnaire"] = questionnaire_snapshot(questionnaire)
        data["questionnaire_digest"] = questionnaire_digest(questionnaire)
    if plan_format >= SINCE_FORMAT and since is not None:
        data["since"] = since  # format 4: the chapter's data; format 5: the milestone file
    if plan_format >= BOUND_FORMAT:
        data["block_digest"] = block_digest(data)
    return data


def block_digest(data: dict[str, Any]) -> str:
    """A format-5 block's own digest: every key but this one, so the milestone a since
    chapter is derived from is bound with the content (a plain hash: it catches an
    edit, and a signature in the milestone says who stands behind it)."""
    return sha256_of({key: value for key, value in data.items() if key != "block_digest"})


def data_block(data: dict[str, Any]) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1)
    for char, escaped in INERT_JSON.items():
        text = text.replace(char, escaped)
    return f"```{DATA_INFO}\n{text}\n```\n"


@dataclass(frozen=True)
class ParsedPlan:
    front_matter: str
    data: dict[str, Any]
    data_line: int


def parse_plan(text: str) -> ParsedPlan:
    """Find the front matter and the data block with markdown-it (front-matter plugin)."""
    from markdown_it import MarkdownIt  # imported here: start-up does not need it
    from mdit_py_plugins.front_matter import front_matter_plugin

    tokens = MarkdownIt("commonmark").use(front_matter_plugin).parse(text)
    front = next((t.content for t in tokens if t.type == "front_matter"), None)
    fences = [t for t in tokens if t.type == "fence" and t.info.strip() == DATA_INFO]
    if front is None or not fences:
        raise PlanError(
            "not a gatebook plan: it needs YAML front matter and a ```json gatebook-data "
            "block (write plans with `gatebook export`)"
        )
    if len(fences) > 1:
        raise PlanError("more than one gatebook-data block; a plan carries exactly one")
    fence = fences[0]
    line = (fence.map[0] + 2) if fence.map else 1
    try:
        data = json.loads(fence.content)
    except json.JSONDecodeError as error:
        raise PlanError(
            f"line {line + error.lineno - 1}: the data block is not JSON: {error.msg}"
        ) from error
    except RecursionError:
        raise PlanError(f"line {line}: the data block is nested too deeply") from None
    number = data.get("gatebook_plan") if isinstance(data, dict) else None
    if type(number) is not int or number not in PLAN_FORMATS:  # `true` is no format 1
        known = " or ".join(str(f) for f in PLAN_FORMATS)
        raise PlanError(
            f"line {line}: unknown data block format (expected gatebook_plan: {known}); "
            "a newer gatebook may have written it"
        )
    if not isinstance(data.get("content"), dict) or not isinstance(data.get("signoffs"), list):
        raise PlanError(f"line {line}: the data block needs `content` and `signoffs`")
    if data["gatebook_plan"] >= 2 and not isinstance(data.get("questionnaire"), dict):
        raise PlanError(f"line {line}: the data block needs the `questionnaire` it shows")
    if data["gatebook_plan"] == SINCE_FORMAT and not _since_shaped(data.get("since")):
        raise PlanError(f"line {line}: the data block needs the `since` its chapter shows")
    return ParsedPlan(front_matter=front, data=data, data_line=line)


def _since_shaped(since: Any) -> bool:
    """A format-4 `since` as its chapter reads it: ids are ids, levels and decisions
    are ours, texts are text (anything else is refused, exit 2)."""
    from gatebook.questionnaire.ids import is_document_id

    levels = {"high", "medium", "low"}
    decisions = {"approved", "approved-with-conditions", "rejected"}
    try:
        diff = since["diff"]
        flags, signoffs = diff["flags"], diff["signoffs"]
        ids = (
            [a["id"] for a in diff["answers"]]
            + [n["id"] for n in diff["na"]]
            + flags["raised"]
            + flags["cleared"]
            + [c["id"] for c in flags["changed_level"]]
            + [d["id"] for d in diff["scores"]["dimensions"]]
            + [g["id"] for g in diff["gates"]]
            + [r["row"] for r in diff["register"]]
        )
        return (
            isinstance(since["name"], str)
            and all(
                isinstance(p["name"], str) and is_document_id(p["name"])
                for p in since["milestones"]
            )
            and all(isinstance(i, str) and is_identifier(i) for i in ids)
            and all(isinstance(a["prompt"], str) for a in diff["answers"])
            and all({c["from"], c["to"]} <= levels for c in flags["changed_level"])
            and isinstance(diff["scores"]["overall"], dict)
            and all(
                isinstance(r["field"], str) and is_identifier(r["field"]) for r in diff["register"]
            )
            and all(
                isinstance(s["role"], str)
                and isinstance(s["name"], str)
                and s["decision"] in decisions
                for s in signoffs["added"] + signoffs["voided"]
            )
        )
    except (KeyError, TypeError, AttributeError):
        return False


def plan_questionnaire(parsed: ParsedPlan, filename: str) -> Questionnaire | None:
    """The questionnaire a format-2 plan carries, checked as any questionnaire file is
    (SourceError with the problems); None for a format-1 plan."""
    if parsed.data["gatebook_plan"] < 2:
        return None
    from gatebook.questionnaire.loader import questionnaire_from_data
    from gatebook.questionnaire.source import SourceMap

    raw = parsed.data["questionnaire"]
    questionnaire = questionnaire_from_data(raw, SourceMap(filename, None))
    questionnaire._snapshot = raw
    questionnaire._snapshot_digest = sha256_of(raw)
    return questionnaire


def _check_keys(content: dict[str, Any]) -> None:
    """Keys that the plan shows as code must be ids, never text from an attacker."""
    for name in ("answers", "notes", "not_applicable", "mitigations", "risk_register", "outcomes"):
        mapping = content.get(name, {})
        if not isinstance(mapping, dict):
            raise PlanError(f"the data block's `{name}` is not a mapping")
        bad = [key for key in mapping if not is_identifier(str(key))]
        if bad:
            raise PlanError(f"`{name}`: {bad[0][:60]!r} is not a question or flag id")
    follow_ups = content.get("follow_ups", [])
    if not isinstance(follow_ups, list) or not all(
        isinstance(key, str) and is_identifier(key) for key in follow_ups
    ):
        raise PlanError("`follow_ups` must be a list of question ids")


def review_from_data(data: dict[str, Any], now: str) -> Review:
    """The review a plan describes (history starts afresh; times are the import time).

    Raises PlanError naming the field for anything that is not a valid review: ids,
    keys, types, sign-off fields (docs/contracts.md "Plans").
    """
    content = data["content"]
    _check_keys(content)
    named = content.get("questionnaire")
    if isinstance(named, str) and Path(named).suffix.lower() in SUFFIXES:
        raise PlanError(
            f"the data block does not describe a review: questionnaire: {named[:64]!r} reads "
            "as a file name; a plan names its questionnaire by id and never makes gatebook "
            "open a file"
        )
    local_id = data.get("review", content.get("id"))
    try:
        return Review(
            id=local_id,
            origin=content["id"] if content.get("id") != local_id else None,
            questionnaire=content["questionnaire"],
            version=content["version"],
            title=content["title"],
            subject=content.get("subject", ""),
            answers=content.get("answers", {}),
            notes=content.get("notes", {}),
            not_applicable=content.get("not_applicable", {}),
            follow_ups=list(content.get("follow_ups", [])),
            mitigations=content.get("mitigations", {}),
            risk_register=content.get("risk_register", {}),
            outcomes=content.get("outcomes", {}),
            escalation=content.get("escalation"),
            meetings=content.get("meetings", []),
            signoffs=[Signoff.model_validate(s) for s in data["signoffs"]],
            created=now,
            updated=now,
        )
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise PlanError(
            f"the data block does not describe a review: {where}: {first['msg']}"
        ) from None
    except (KeyError, TypeError, ValueError) as error:
        raise PlanError(f"the data block does not describe a review: {error}") from error
