"""AWS Well-Architected custom lens (JSON, schemaVersion 2021-11-01) -> questionnaire.

Each pillar becomes a section; each question a multichoice over its choices; its
`riskRules` become one risk rule with ordered `levels`, tried in order so that the
first condition that holds sets the risk, exactly as the console does (`default`
always holds; NO_RISK raises nothing; when no rule holds the risk is none). Every
level also requires a selection (`len(q) > 0`: unknown, so the rule is undecided,
while the question is unanswered; false for an empty selection): the console leaves
an unanswered question (or an empty selection) without a risk. A choice id ending in `_no` is
"None of these" and exclusive. Texts carry over: description as help, each choice's
helpful resource beside it, improvement plans of unselected practices as the
flag's mitigation.
"""

from __future__ import annotations

import json
import re
from typing import Any

from gatebook.questionnaire.expressions import MAX_EXPRESSION_CHARS, MAX_EXPRESSION_DEPTH
from gatebook.questionnaire.ids import is_identifier
from gatebook.questionnaire.source import Problem, SourceError

SCHEMA_VERSIONS = ("2021-11-01",)
RISKS = {"HIGH_RISK": "high", "MEDIUM_RISK": "medium", "NO_RISK": "none"}
_TOKEN = re.compile(r"\s*(&&|\|\||!|\(|\)|[A-Za-z0-9_.:\-]+)")


def looks_like_lens(data: Any) -> bool:
    return isinstance(data, dict) and "pillars" in data and "schemaVersion" in data


_JSON_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')


class _Located:
    """Turns a message into a Problem at the line where an id first appears in the file.

    The file's strings are indexed once, so locating 20,000 problems stays linear.
    """

    def __init__(self, filename: str, text: str) -> None:
        self.filename = filename
        self.text = text
        self._first: dict[str, tuple[int, int]] | None = None

    def _index(self) -> dict[str, tuple[int, int]]:
        if self._first is None:
            self._first = {}
            for number, line in enumerate(self.text.splitlines(), start=1):
                for match in _JSON_STRING.finditer(line):
                    self._first.setdefault(match.group(0), (number, match.start() + 1))
        return self._first

    def problem(self, message: str, *needles: str) -> Problem:
        for needle in needles:
            found = self._index().get(json.dumps(needle))
            if found is not None:
                return Problem(self.filename, found[0], found[1], message)
        return Problem(self.filename, 1, 1, message)


def translate_condition(condition: str, choices: set[str], question_id: str) -> str:
    """A lens condition (`a && (!b || c)`) as a gatebook expression over `question_id`.

    Raises ValueError with a readable message when it does not parse or names an
    unknown choice.
    """
    text = condition.strip()
    if len(text) > MAX_EXPRESSION_CHARS:
        raise ValueError(
            f"the condition is longer than {MAX_EXPRESSION_CHARS:,} characters; "
            "split it into several rules"
        )
    if text == "default":
        return "True"
    tokens = _tokens(text)
    for token in tokens:
        if token not in _OPERATORS and token not in choices:
            known = ", ".join(sorted(choices))
            raise ValueError(f"unknown choice id {token!r} (this question's choices: {known})")
    _check_grammar(tokens)
    translated = " ".join(
        _OPERATORS.get(token) or f"({token!r} in {question_id})" for token in tokens
    )
    if len(translated) > MAX_EXPRESSION_CHARS:
        raise ValueError(
            f"the condition is longer than {MAX_EXPRESSION_CHARS:,} characters once "
            "translated; split it into several rules"
        )
    return translated


# The translation wraps a lens condition in `len(q) > 0 and (...)` and a choice in a
# comparison: four levels the lens text does not show.
MAX_LENS_DEPTH = MAX_EXPRESSION_DEPTH - 4
_OPERATORS = {"&&": "and", "||": "or", "!": "not", "(": "(", ")": ")"}


def _tokens(text: str) -> list[str]:
    """Operators and choice ids, in order; anything else is refused."""
    tokens: list[str] = []
    position = 0
    while text[position:].strip():
        match = _TOKEN.match(text, position)
        if match is None:
            raise ValueError(
                f"unexpected {text[position:].strip()[:20]!r} at column {position + 1}"
            )
        tokens.append(match.group(1))
        position = match.end()
    return tokens


def _check_grammar(tokens: list[str]) -> None:
    """expr := term (('&&'|'||') term)*; term := '!' term | '(' expr ')' | choice.

    Read with an explicit stack, never by recursion: a hostile lens nests `!` or `(`
    thousands deep, and that is refused past the depth a gatebook condition allows.
    """
    pending: list[str] = []  # the open '!' and '(' around the term being read
    expect_term = True
    for token in tokens:
        if expect_term:
            if token in ("!", "("):
                pending.append(token)
                if len(pending) > MAX_LENS_DEPTH:
                    raise ValueError(
                        f"the condition is nested more than {MAX_EXPRESSION_DEPTH} levels "
                        f"deep once translated ({MAX_LENS_DEPTH} in the lens); write it "
                        "flatter, or split it into several rules"
                    )
                continue
            if token in _OPERATORS:
                raise ValueError(f"expected a choice id, found {token!r}")
            expect_term = False
        elif token in ("&&", "||"):
            expect_term = True
            continue
        elif token == ")" and pending:
            pending.pop()  # only '(' can be on top: a finished term pops its '!'s
        else:
            raise ValueError(f"unexpected {token!r}")
        while pending and pending[-1] == "!":
            pending.pop()
    if expect_term:
        raise ValueError("the condition ends where a choice id was expected")
    if pending:
        raise ValueError("a parenthesis is not closed")


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _key(mapping: dict[str, Any], name: str) -> Any:
    """A key looked up regardless of case (real lenses spell `url` as `Url` too)."""
    for key, value in mapping.items():
        if key.lower() == name.lower():
            return value
    return None


def _resource(value: Any) -> tuple[str, str | None]:
    if not isinstance(value, dict):
        return "", None
    url = _key(value, "url")
    return _text(_key(value, "displayText")), url if isinstance(url, str) and url else None


def _joined(text: str, url: str | None) -> str:
    return " ".join(x for x in (text, f"({url})" if url else "") if x)


def _additional(choice: dict[str, Any], kind: str) -> list[str]:
    """`additionalResources` of one type (HELPFUL_RESOURCE / IMPROVEMENT_PLAN) as text."""
    found = []
    for resource in _key(choice, "additionalResources") or []:
        if isinstance(resource, dict) and _key(resource, "type") == kind:
            for item in _key(resource, "content") or []:
                text, url = _resource(item)
                if text or url:
                    found.append(_joined(text, url))
    return found


def _slug(name: str) -> str:
    """A questionnaire id from the lens name: `[a-z0-9][a-z0-9-]*`, at most 64 characters."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()[:64].strip("-")
    return slug or "lens"


def conforming_id(raw: str, taken: set[str]) -> str:
    """A lens id as a gatebook identifier (`[A-Za-z_][A-Za-z0-9_]*`), unique in `taken`.

    Conforming ids are kept as they are, so real lenses import unchanged; anything
    else (spaces, dashes, non-ASCII letters, a leading digit) becomes `_`.
    """
    ident = raw if is_identifier(raw) else re.sub(r"[^A-Za-z0-9_]", "_", raw)
    if not ident or ident[0].isdigit():
        ident = f"_{ident}"
    ident = ident[:64]
    candidate, number = ident, 2
    while candidate in taken:
        candidate, number = f"{ident}_{number}", number + 1
    taken.add(candidate)
    return candidate


def lens_to_data(lens: Any, filename: str, text: str = "") -> dict[str, Any]:
    """The questionnaire data (as YAML would give it) for a lens; SourceError if malformed."""
    where = _Located(filename, text)
    problems: list[Problem] = []
    if not isinstance(lens, dict):
        raise SourceError([where.problem("a lens is a JSON object with `pillars`")])
    if lens.get("schemaVersion") not in SCHEMA_VERSIONS:
        problems.append(
            where.problem(
                f"schemaVersion {lens.get('schemaVersion')!r} is not supported; "
                f'write "schemaVersion": "{SCHEMA_VERSIONS[0]}"',
                "schemaVersion",
            )
        )
    pillars = lens.get("pillars")
    if not isinstance(pillars, list) or not pillars:
        problems.append(where.problem("`pillars` must be a non-empty list", "pillars"))
        raise SourceError(problems)
    name = _text(lens.get("name")) or "AWS custom lens"
    sections: list[dict[str, Any]] = []
    risks: list[dict[str, Any]] = []
    seen: set[str] = set()
    taken: set[str] = set()
    pillar_ids: set[str] = set()
    for p_index, pillar in enumerate(pillars, start=1):
        if not isinstance(pillar, dict) or not _text(pillar.get("id")):
            problems.append(where.problem(f"pillar {p_index}: needs an `id` and a `name`"))
            continue
        pillar_id = conforming_id(_text(pillar["id"]), pillar_ids)
        pillar_name = _text(pillar.get("name")) or _text(pillar["id"])
        questions: list[dict[str, Any]] = []
        for q_index, question in enumerate(pillar.get("questions") or [], start=1):
            converted = _question(pillar_id, q_index, question, where, problems, seen, taken)
            if converted is not None:
                questions.append(converted[0])
                risks.append(converted[1])
        if not questions:
            problems.append(where.problem(f"pillar {pillar_id!r}: has no questions", pillar_id))
            continue
        sections.append(
            {
                "id": pillar_id,
                "title": pillar_name,
                "description": _text(pillar.get("description")),
                "questions": questions,
            }
        )
    if problems:
        raise SourceError(problems)
    return {
        "id": _slug(name),
        "title": name,
        "version": str(lens.get("version") or lens.get("schemaVersion") or "1"),
        "description": _text(lens.get("description")),
        "pillar_counts": True,
        "sections": sections,
        "risks": risks,
    }


def _question(
    pillar_id: str,
    index: int,
    question: Any,
    where: _Located,
    problems: list[Problem],
    seen: set[str],
    taken: set[str],
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    label = f"pillar {pillar_id!r}, question {index}"
    if not isinstance(question, dict) or not _text(question.get("id")):
        problems.append(where.problem(f"{label}: needs `id`, `title` and `choices`", pillar_id))
        return None
    raw_id = _text(question["id"])
    label = f"pillar {pillar_id!r}, question {raw_id!r}"
    if raw_id in seen:
        problems.append(where.problem(f"{label}: the id is used twice", raw_id))
        return None
    seen.add(raw_id)
    qid = conforming_id(raw_id, taken)
    title = _text(question.get("title"))
    choices = question.get("choices")
    if not title or not isinstance(choices, list) or not choices:
        problems.append(
            where.problem(f"{label}: needs a `title` and a non-empty `choices`", raw_id)
        )
        return None
    options: list[dict[str, Any]] = []
    for c_index, choice in enumerate(choices, start=1):
        if not isinstance(choice, dict) or not _text(choice.get("id")):
            problems.append(where.problem(f"{label}, choice {c_index}: needs an `id`", raw_id))
            continue
        help_text, url = _resource(_key(choice, "helpfulResource"))
        plan_text, plan_url = _resource(_key(choice, "improvementPlan"))
        help_text = "\n\n".join([help_text, *_additional(choice, "HELPFUL_RESOURCE")]).strip()
        plans = [_joined(plan_text, plan_url), *_additional(choice, "IMPROVEMENT_PLAN")]
        option: dict[str, Any] = {
            "value": _text(choice["id"]),
            "label": _text(choice.get("title")) or _text(choice["id"]),
        }
        if _text(choice["id"]).endswith("_no"):
            option["exclusive"] = True
        if help_text:
            option["help"] = help_text
        if url:
            option["url"] = url
        if any(plans):
            option["improvement"] = " ".join(p for p in plans if p)
        options.append(option)
    choice_ids = {o["value"] for o in options}
    levels: list[dict[str, str]] = []
    rules = question.get("riskRules")
    for r_index, rule in enumerate(rules if isinstance(rules, list) else [], start=1):
        rule_label = f"{label}, risk rule {r_index}"
        if not isinstance(rule, dict):
            problems.append(where.problem(f"{rule_label}: needs `condition` and `risk`", raw_id))
            continue
        risk = rule.get("risk")
        if risk not in RISKS:
            problems.append(
                where.problem(f"{rule_label}: risk {risk!r} is not one of {', '.join(RISKS)}", qid)
            )
            continue
        condition = rule.get("condition")
        try:
            if not isinstance(condition, str):
                raise ValueError('`condition` must be a string such as "a && !b" or "default"')
            when = translate_condition(condition, choice_ids, qid)
        except ValueError as error:
            text = condition if isinstance(condition, str) else ""
            shown = text[:60] if text else condition
            problems.append(
                where.problem(f"{rule_label}: condition {shown!r}: {error}", text, raw_id)
            )
            continue
        levels.append({"when": f"len({qid}) > 0 and ({when})", "severity": RISKS[risk]})
    help_parts = [_text(question.get("description"))]
    resource, url = _resource(_key(question, "helpfulResource"))
    help_parts.append(resource)
    plain_url = _key(question, "url")
    question_url = url or (plain_url if isinstance(plain_url, str) else None)
    if question_url:
        help_parts.append(f"More: {question_url}")
    converted = {
        "id": qid,
        "type": "multichoice",
        "prompt": title,
        "help": "\n\n".join(p for p in help_parts if p),
        "options": options,
    }
    flag = {
        "id": qid,
        "title": title,
        "category": pillar_id,
        "levels": levels or [{"when": "False", "severity": "none"}],
        "why": f"Best practices selected: {{{qid}:list}}.",
        "mitigation": f"{{{qid}:improvements}}",
    }
    return converted, flag


def load_lens_text(text: str, filename: str) -> dict[str, Any]:
    """Parse lens JSON text into questionnaire data; errors as file:line:col."""
    try:
        lens = json.loads(text)
    except json.JSONDecodeError as error:
        raise SourceError(
            [Problem(filename, error.lineno, error.colno, f"not valid JSON: {error.msg}")]
        ) from None
    except RecursionError:
        raise SourceError(
            [Problem(filename, 1, 1, "not valid JSON: nested too deeply for a lens")]
        ) from None
    return lens_to_data(lens, filename, text)
