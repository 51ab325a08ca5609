"""YAML reading that remembers where every value came from.

PyYAML's composer gives nodes with line marks; we build plain Python data from
them ourselves so any later problem (a pydantic error, a dangling id, a failing
example) can be reported as `file:line:col`. Every file may be hostile, so its
size, its nesting depth and the expanded size of its aliases are bounded before
any value is built: a "billion laughs" or a self-referencing alias fails at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from gatebook.questionnaire.problems import MAX_PROBLEMS, Problem, SourceError

__all__ = ["MAX_PROBLEMS", "Problem", "SourceError", "SourceMap", "load_yaml"]

try:
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - libyaml missing
    from yaml import SafeLoader  # type: ignore[assignment]

MAX_EXPANDED_NODES = 2_000_000
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 64
Path = tuple[str | int, ...]


@dataclass
class SourceMap:
    """Maps a data path such as ('sections', 0, 'questions', 2, 'when') to a position."""

    filename: str
    root: yaml.Node | None
    cache: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: Path, *, at_key: bool = False) -> tuple[int, int]:
        """1-based line and column of the value at `path` (or of its key)."""
        node = self.root
        if node is None:
            return (1, 1)
        best = node.start_mark
        for index, key in enumerate(path):
            child = _child(node, key, at_key=at_key and index == len(path) - 1)
            if child is None:
                break
            node, best = child[1], child[0]
        return (best.line + 1, best.column + 1)

    def problem(
        self, path: Path, message: str, column_offset: int = 0, *, at_key: bool = False
    ) -> Problem:
        line, column = self.position(path, at_key=at_key)
        return Problem(self.filename, line, column + column_offset, message)


def _child(
    node: yaml.Node, key: str | int, *, at_key: bool = False
) -> tuple[yaml.Mark, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(key):
                mark = key_node.start_mark if at_key else value_node.start_mark
                return (mark, value_node)
    elif (
        isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value)
    ):
        child = node.value[key]
        return (child.start_mark, child)
    return None


def _mark_problem(filename: str, mark: yaml.Mark | None, message: str) -> Problem:
    if mark is None:
        return Problem(filename, 1, 1, message)
    return Problem(filename, mark.line + 1, mark.column + 1, message)


class _Builder:
    def __init__(self, filename: str, *, keep_unreadable: bool = False) -> None:
        self.filename = filename
        self.keep_unreadable = keep_unreadable
        self.constructor = yaml.constructor.SafeConstructor()
        self.built: dict[int, Any] = {}
        self.problems: list[Problem] = []

    def check_shape(self, root: yaml.Node) -> Problem | None:
        """Refuse self-referencing aliases, deep nesting and alias explosions, in one
        iterative walk (no recursion, so a hostile file cannot exhaust the stack)."""
        sizes: dict[int, int] = {}
        open_nodes: set[int] = set()
        children_of: dict[int, list[yaml.Node]] = {}
        stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
        while stack:
            node, depth, done = stack.pop()
            key = id(node)
            if done:
                open_nodes.discard(key)
                sizes[key] = 1 + sum(sizes[id(c)] for c in children_of.pop(key))
                if sizes[key] > MAX_EXPANDED_NODES:
                    return _mark_problem(
                        self.filename,
                        node.start_mark,
                        "aliases (*name) expand to too many values; write the values out instead",
                    )
                continue
            if key in sizes:
                continue
            if depth > MAX_DEPTH:
                return self._too_deep(node)
            kids = self._children(node)
            if not kids:  # scalars and empty collections: one value, no second visit
                sizes[key] = 1
                continue
            open_nodes.add(key)
            children_of[key] = kids
            stack.append((node, depth, True))
            for child in kids:
                child_key = id(child)
                if child_key in open_nodes:
                    return _mark_problem(
                        self.filename,
                        child.start_mark,
                        "an alias (*name) refers to the value that contains it; "
                        "write the value out instead",
                    )
                if child_key in sizes:
                    continue
                if type(child) is yaml.ScalarNode:  # most of a file: settled here
                    if depth + 1 > MAX_DEPTH:
                        return self._too_deep(child)
                    sizes[child_key] = 1
                else:
                    stack.append((child, depth + 1, False))
        return None

    def _too_deep(self, node: yaml.Node) -> Problem:
        return _mark_problem(
            self.filename,
            node.start_mark,
            f"nested more than {MAX_DEPTH} levels deep; a questionnaire or answers "
            "file needs far fewer",
        )

    @staticmethod
    def _children(node: yaml.Node) -> list[yaml.Node]:
        if isinstance(node, yaml.MappingNode):
            return [n for pair in node.value for n in pair]
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        return []

    def build(self, node: yaml.Node) -> Any:
        known = self.built.get(id(node))
        if known is not None:
            return known
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in (
            "tag:yaml.org,2002:map",
            "tag:yaml.org,2002:seq",
            "tag:yaml.org,2002:omap",
        ):
            self.problems.append(
                _mark_problem(
                    self.filename,
                    node.start_mark,
                    f"the tag {node.tag!r} is not allowed; write plain values",
                )
            )
            return None
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            self.built[id(node)] = result
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    merged = self.build(value_node)
                    for item in merged if isinstance(merged, list) else [merged]:
                        if isinstance(item, dict):
                            for k, v in item.items():
                                result.setdefault(k, v)
                    continue
                key = self.build(key_node)
                if isinstance(key, list | dict):
                    self.problems.append(
                        _mark_problem(self.filename, key_node.start_mark, "a key must be text")
                    )
                    continue
                if key in result:
                    self.problems.append(
                        _mark_problem(
                            self.filename,
                            key_node.start_mark,
                            f"duplicate key {key!r}: each key may appear once in a mapping",
                        )
                    )
                result[key] = self.build(value_node)
            return result
        if isinstance(node, yaml.SequenceNode):
            items: list[Any] = []
            self.built[id(node)] = items
            items.extend(self.build(child) for child in node.value)
            return items
        tag = node.tag
        if tag == "tag:yaml.org,2002:str":
            return node.value
        try:
            return self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as error:
            if self.keep_unreadable:
                return node.value  # our own reader refuses it, naming the question
            self.problems.append(
                _mark_problem(
                    self.filename,
                    node.start_mark,
                    f"cannot read the value {node.value[:40]!r}: {error}; quote it to keep "
                    "it as text",
                )
            )
            return None


def too_large(filename: str) -> Problem:
    limit = MAX_FILE_BYTES // (1024 * 1024)
    return Problem(filename, 1, 1, f"the file is larger than {limit} MB, the limit; split it")


def load_yaml(text: str, filename: str, *, keep_unreadable: bool = False) -> tuple[Any, SourceMap]:
    """Parse YAML text safely; raise SourceError with positions on any problem.

    With `keep_unreadable`, a scalar PyYAML cannot convert (an integer of 5,000 digits,
    the date 2026-02-30) is kept as the text written, so an answers file's own reader
    refuses it at its position with the question named, like any other bad value.
    """
    if len(text) > MAX_FILE_BYTES:
        raise SourceError([too_large(filename)])
    try:
        root = yaml.compose(text, Loader=SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = f"cannot read YAML: {error.problem or error.context}"
        hint = " (check indentation, and quote text containing ': ' or '#')"
        raise SourceError([_mark_problem(filename, mark, message + hint)]) from None
    except (yaml.YAMLError, RecursionError, MemoryError) as error:
        raise SourceError([Problem(filename, 1, 1, f"cannot read YAML: {error}")]) from None
    source = SourceMap(filename, root)
    if root is None:
        return None, source
    builder = _Builder(filename, keep_unreadable=keep_unreadable)
    shape_problem = builder.check_shape(root)
    if shape_problem is not None:
        raise SourceError([shape_problem])
    data = builder.build(root)
    if builder.problems:
        raise SourceError(builder.problems)
    return data, source
