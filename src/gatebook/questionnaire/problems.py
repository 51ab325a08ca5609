"""What is wrong in a file, with where: the errors every reader of a file raises.

Apart from the YAML reader (source.py) so that code which only catches them (the app
at start-up, the catalog) does not import PyYAML.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_PROBLEMS = 50


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file, with its 1-based position."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


class SourceError(Exception):
    """One or more problems in a file; str() gives one `file:line:col: message` per line."""

    def __init__(self, problems: list[Problem], more: int = 0) -> None:
        lines = [str(p) for p in problems[:MAX_PROBLEMS]]
        hidden = more + max(0, len(problems) - MAX_PROBLEMS)
        if hidden:
            lines.append(f"... and {hidden} more problems of the same kind; fix these first")
        super().__init__("\n".join(lines))
        self.problems = problems[:MAX_PROBLEMS]
