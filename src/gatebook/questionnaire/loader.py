"""Load a questionnaire file: YAML -> models -> cross-checks -> parsed conditions.

Every problem found is reported with `file:line:col` and a hint of what to
write; nothing half-loaded ever reaches the engine.
"""

from __future__ import annotations

import difflib
from pathlib import Path as FsPath
from typing import Any

from pydantic import ValidationError

from gatebook.questionnaire.expressions import (
    ESCALATION_ONLY,
    GATE_ONLY,
    RISK_ONLY,
    ExpressionProblem,
    parse_expression,
    parse_template,
)
from gatebook.questionnaire.ids import did_you_mean
from gatebook.questionnaire.models import (
    PLAN_BLOCKS,
    Check,
    Dimension,
    Example,
    Gate,
    GateItem,
    Option,
    PlanChapter,
    Question,
    Questionnaire,
    RiskRule,
    Section,
)
from gatebook.questionnaire.source import (
    MAX_FILE_BYTES,
    MAX_PROBLEMS,
    Path,
    Problem,
    SourceError,
    SourceMap,
    load_yaml,
    too_large,
)

_ALL_KEYS = sorted(
    {
        name
        for model in (
            Questionnaire,
            Section,
            Question,
            Option,
            RiskRule,
            Gate,
            GateItem,
            PlanChapter,
            Dimension,
            Example,
            Check,
        )
        for name in model.model_fields
    }
    | {"when", "severity", "reason", "title", "required", "weight", "value"}
)


def _loc_path(loc: tuple[int | str, ...]) -> Path:
    return tuple(part for part in loc if isinstance(part, int) or not part.startswith("function-"))


def _pydantic_problems(error: ValidationError, source: SourceMap) -> list[Problem]:
    problems: list[Problem] = []
    for item in error.errors():
        path = _loc_path(item["loc"])
        kind = item["type"]
        if kind == "extra_forbidden":
            key = str(path[-1]) if path else "?"
            close = difflib.get_close_matches(key, _ALL_KEYS, n=1)
            hint = f" Did you mean `{close[0]}`?" if close else " Remove it or check the spelling."
            problems.append(source.problem(path, f"unknown key `{key}`.{hint}", at_key=True))
            continue
        elif kind == "string_pattern_mismatch" or (kind == "string_too_long" and path == ("id",)):
            shown = repr(item.get("input"))[:60].encode("ascii", "backslashreplace").decode()
            if path == ("id",):
                message = (
                    f"`id`: {shown} is not a valid questionnaire id; use ASCII letters, digits, "
                    "'.', '_' and '-', starting with a letter or digit, at most 64 characters "
                    "(e.g. team-oqr)"
                )
            else:
                message = (
                    f"`{path[-1]}`: {shown} is not a valid id; use ASCII letters, digits and "
                    "'_', starting with a letter or '_' (e.g. tcv_usd)"
                )
        elif kind == "missing":
            key = str(path[-1]) if path else "?"
            message = f"`{key}` is required here; add `{key}: ...`"
            path = path[:-1]
        else:
            where = f"`{path[-1]}`: " if path and isinstance(path[-1], str) else ""
            message = where + str(item["msg"]).removeprefix("Value error, ")
            message += _what_to_write(kind, item.get("ctx") or {})
        problems.append(source.problem(path, message))
    return problems


_WRITE = {
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "int_type": "a whole number, e.g. 4",
    "int_parsing": "a whole number, e.g. 4",
    "int_from_float": "a whole number, e.g. 4",
    "float_type": "a number, e.g. 2.5",
    "float_parsing": "a number, e.g. 2.5",
    "string_type": "text (in quotes when it reads as a number or true/false)",
    "list_type": "a list: one `- item` a line, or [a, b]",
    "dict_type": "a mapping: one `key: value` a line",
    "model_type": "a mapping: one `key: value` a line",
    "model_attributes_type": "a mapping: one `key: value` a line",
}
"""What to write instead, for pydantic's refusals that say only what is wrong."""


def _what_to_write(kind: str, ctx: dict[str, object]) -> str:
    bounds = {
        "greater_than_equal": ("ge", "of at least"),
        "greater_than": ("gt", "above"),
        "less_than_equal": ("le", "of at most"),
        "less_than": ("lt", "below"),
    }
    if kind in bounds:
        key, words = bounds[kind]
        return f"; write a number {words} {ctx.get(key)}" if key in ctx else ""
    write = _WRITE.get(kind)
    return f"; write {write}" if write else ""


class _Checker:
    """Cross-checks pydantic cannot do: unique ids, references, conditions, examples."""

    def __init__(self, questionnaire: Questionnaire, source: SourceMap) -> None:
        self.q = questionnaire
        self.source = source
        self.problems: list[Problem] = []
        self.more = 0
        self.names = {
            question.id for section in questionnaire.sections for question in section.questions
        }

    def add(self, path: Path, message: str, column_offset: int = 0) -> None:
        """Locate the first problems only: a hostile file may hold 100,000 of them."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(self.source.problem(path, message, column_offset))
        else:
            self.more += 1

    def unique(self, kind: str, items: list[tuple[Path, str]]) -> None:
        seen: dict[str, Path] = {}
        for path, ident in items:
            if ident in seen:
                line, _ = self.source.position(seen[ident])
                self.add(
                    path,
                    f"duplicate {kind} id {ident!r} (first used on line {line}); "
                    "give each a different id",
                )
            else:
                seen[ident] = path

    def expression(self, path: Path, text: str, allow: frozenset[str] = frozenset()) -> None:
        if text in self.q._expressions:
            return
        try:
            self.q._expressions[text] = parse_expression(text, self.names, allow=allow)
        except ExpressionProblem as problem:
            self.add(path, problem.message, problem.column)

    def template(self, path: Path, text: str, allow: frozenset[str] = frozenset()) -> None:
        if text in self.q._templates:
            return
        try:
            self.q._templates[text] = parse_template(text, self.names, allow=allow)
        except ExpressionProblem as problem:
            self.add(path, problem.message, problem.column)

    def run(self) -> list[Problem]:
        q = self.q
        questions: list[tuple[Path, Question]] = [
            (("sections", s, "questions", i), question)
            for s, section in enumerate(q.sections)
            for i, question in enumerate(section.questions)
        ]
        self.unique("section", [(("sections", s, "id"), x.id) for s, x in enumerate(q.sections)])
        self.unique("question", [((*p, "id"), question.id) for p, question in questions])
        self.unique("flag", [(("risks", i, "id"), r.id) for i, r in enumerate(q.risks)])
        self.unique("gate", [(("gates", i, "id"), g.id) for i, g in enumerate(q.gates)])
        self.unique(
            "dimension", [(("dimensions", i, "id"), d.id) for i, d in enumerate(q.dimensions)]
        )
        self.unique(
            "escalation", [(("escalation", i, "id"), e.id) for i, e in enumerate(q.escalation)]
        )
        self.unique(
            "sign-off role", [(("signoff", i, "id"), r.id) for i, r in enumerate(q.signoff)]
        )
        dimension_ids = {d.id for d in q.dimensions}
        for path, question in questions:
            self.question(path, question, dimension_ids)
        for i, risk in enumerate(q.risks):
            if risk.levels is not None:
                for j, level in enumerate(risk.levels):
                    self.expression(("risks", i, "levels", j, "when"), level.when, RISK_ONLY)
                    for key in ("why", "mitigation"):
                        text = getattr(level, key)
                        if text:
                            self.template(("risks", i, "levels", j, key), text)
            else:
                assert risk.when is not None
                self.expression(("risks", i, "when"), risk.when, RISK_ONLY)
            self.template(("risks", i, "why"), risk.why)
            self.template(("risks", i, "mitigation"), risk.mitigation)
        for i, rule in enumerate(q.escalation):
            self.expression(("escalation", i, "when"), rule.when, ESCALATION_ONLY)
            self.template(("escalation", i, "reason"), rule.reason, ESCALATION_ONLY)
        self.unique("check", [(("checks", i, "id"), c.id) for i, c in enumerate(q.checks)])
        for i, check in enumerate(q.checks):
            self.expression(("checks", i, "when"), check.when)
            self.template(("checks", i, "message"), check.message)
        for i, gate in enumerate(q.gates):
            for j, item in enumerate(gate.items):
                if item.when is None:
                    self.gate_item(("gates", i, "items", j), item.item)
                else:
                    self.gate_item(("gates", i, "items", j, "item"), item.item)
                    self.expression(("gates", i, "items", j, "when"), item.when, GATE_ONLY)
            self.unique_within(("gates", i, "items"), "gate item", gate.refs())
            if gate.approve_at is not None and gate.approve_at > len(gate.items):
                self.add(
                    ("gates", i, "approve_at"),
                    f"approve_at {gate.approve_at} is more than the gate's "
                    f"{len(gate.items)} items; write at most {len(gate.items)}",
                )
        for i, chapter in enumerate(q.plan or []):
            self.chapter(("plan", i), chapter)
        flag_ids = {risk.id for risk in q.risks}
        for i, example in enumerate(q.examples):
            for key in example.answers:
                if key not in self.names:
                    self.add(
                        ("examples", i, "answers", key),
                        f"unknown question id {key!r} in example answers",
                    )
            for j, flag in enumerate(example.flags):
                if flag not in flag_ids:
                    self.add(("examples", i, "flags", j), f"unknown flag id {flag!r}")
            for key in example.scores or {}:
                if key not in dimension_ids and key != "overall":
                    self.add(("examples", i, "scores", key), f"unknown dimension {key!r}")
        return self.problems

    def question(self, path: Path, question: Question, dimension_ids: set[str]) -> None:
        if question.show_if:
            self.expression((*path, "show_if"), question.show_if)
        if question.required_if:
            self.expression((*path, "required_if"), question.required_if)
        if (
            question.type == "rating"
            and question.dimension is not None
            and question.dimension not in dimension_ids
        ):
            self.add(
                (*path, "dimension"),
                f"unknown dimension {question.dimension!r}; "
                f"declare it under `dimensions:` ({', '.join(sorted(dimension_ids))})",
            )
        self.unique_within((*path, "options"), "option", [o.value for o in question.options])
        self.unique_within((*path, "columns"), "column id", [c.id for c in question.columns])
        for j, column in enumerate(question.columns):
            if column.type in ("table", "checklist"):
                self.add(
                    (*path, "columns", j, "type"), "a table column cannot be a table or checklist"
                )
        self.unique_within((*path, "items"), "checklist item id", [i.id for i in question.items])

    def chapter(self, path: Path, chapter: PlanChapter) -> None:
        sections = {section.id for section in self.q.sections}
        for j, entry in enumerate(chapter.show):
            kind, colon, ident = entry.partition(":")
            if colon and kind == "section" and ident.strip() in sections:
                continue
            if colon and kind == "question" and ident.strip() in self.names:
                continue
            if not colon and entry in PLAN_BLOCKS:
                continue
            if colon and kind in ("section", "question"):
                known = sections if kind == "section" else self.names
                message = (
                    f"unknown {kind} id {ident.strip()!r}.{did_you_mean(ident.strip(), known)}"
                )
            else:
                message = (
                    f"unknown plan entry {entry!r}; write `section:ID`, `question:ID` or one "
                    f"of {', '.join(PLAN_BLOCKS)}"
                )
            self.add((*path, "show", j), message)
        for j, line in enumerate(chapter.lines):
            self.template((*path, "lines", j), line)

    def unique_within(self, path: Path, kind: str, values: list[str]) -> None:
        """Duplicates in one list, found in one pass (a list may hold 100,000 options)."""
        seen: set[str] = set()
        for j, value in enumerate(values):
            if value in seen:
                self.add((*path, j), f"duplicate {kind} {value!r}")
            seen.add(value)

    def gate_item(self, path: Path, ref: str) -> None:
        question_id, _, item_id = ref.partition(".")
        question = self.q.question(question_id)
        if question is None:
            self.add(
                path,
                f"unknown question {question_id!r}; a gate item is a boolean "
                "question id or `checklist_id.item_id`",
            )
        elif item_id:
            if question.type != "checklist":
                self.add(path, f"{question_id!r} is not a checklist; write just {question_id!r}")
            elif item_id not in {item.id for item in question.items}:
                items = ", ".join(item.id for item in question.items)
                self.add(path, f"unknown item {item_id!r} of {question_id!r} ({items})")
        elif question.type in ("checklist", "rating"):
            self.add(
                path,
                f"{question_id!r} is a {question.type}; a gate item is a boolean "
                "question, `checklist_id.item_id`, or a question met once answered",
            )


def questionnaire_from_data(data: Any, source: SourceMap) -> Questionnaire:
    """Validate already-parsed data (YAML or converted lens) into a checked questionnaire."""
    if not isinstance(data, dict):
        raise SourceError(
            [
                source.problem(
                    (),
                    "a questionnaire is a mapping with `id:`, `title:`, `version:` and `sections:`",
                )
            ]
        )
    try:
        questionnaire = Questionnaire.model_validate(data)
    except ValidationError as error:
        raise SourceError(_pydantic_problems(error, source)) from None
    checker = _Checker(questionnaire, source)
    problems = checker.run()
    if problems:
        raise SourceError(problems, checker.more)
    questionnaire._source = source.filename
    questionnaire._source_map = source
    return questionnaire


def read_text(path: FsPath) -> str:
    """A file's text, refused unread when it is over the size limit or not a file."""
    try:
        if not path.is_file():
            if path.exists():
                raise SourceError([Problem(str(path), 1, 1, "not a regular file")])
            raise FileNotFoundError(path)
        if path.stat().st_size > MAX_FILE_BYTES:
            raise SourceError([too_large(str(path))])
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise SourceError([too_large(str(path))])
        return raw.decode("utf-8")
    except FileNotFoundError:
        raise SourceError([Problem(str(path), 1, 1, "no such file")]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise SourceError([Problem(str(path), 1, 1, f"cannot read the file: {error}")]) from None


def load_questionnaire(path: FsPath | str) -> Questionnaire:
    """Load and check a questionnaire file (YAML, or an AWS Well-Architected lens JSON)."""
    path = FsPath(path)
    text = read_text(path)
    if path.suffix.lower() == ".json" and '"pillars"' in text:
        from gatebook.questionnaire.lens import load_lens_text

        return questionnaire_from_data(load_lens_text(text, str(path)), SourceMap(str(path), None))
    data, source = load_yaml(text, str(path))
    return questionnaire_from_data(data, source)


def example_problem(questionnaire: Questionnaire, index: int, message: str) -> Problem:
    """A failing example, located at its `- name:` line."""
    source = questionnaire.source_map or SourceMap(questionnaire.source, None)
    return source.problem(("examples", index), message)
