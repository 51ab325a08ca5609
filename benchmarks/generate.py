"""Generate the big benchmark questionnaire (not committed: it is built each run).

`python -m benchmarks.generate OUT.yaml [QUESTIONS]` writes a questionnaire of
QUESTIONS questions (default 1,000) in 10 sections, with 3 rules per 10 questions
(300 for 1,000), mixing the question types a real review uses. It must pass
`gatebook validate`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

TYPES = ["money", "text", "boolean", "choice", "number", "percent", "multichoice", "rating"]


def questionnaire(questions: int = 1000, sections: int = 10) -> dict[str, Any]:
    per_section = questions // sections
    data: dict[str, Any] = {
        "id": f"bench-{questions}",
        "title": f"Benchmark questionnaire ({questions} questions)",
        "version": "1",
        "target": 75,
        "dimensions": [{"id": f"d{i}", "title": f"Dimension {i}"} for i in range(sections)],
        "sections": [],
        "risks": [],
    }
    number = 0
    for s in range(sections):
        items = []
        for _ in range(per_section):
            kind = TYPES[number % len(TYPES)]
            question: dict[str, Any] = {
                "id": f"q{number}",
                "type": kind,
                "prompt": f"Question {number}: how much or how many ({kind})?",
                "help": "Generated for the benchmark.",
            }
            if kind in ("choice", "multichoice"):
                question["options"] = ["low", "medium", "high", "none"]
            if kind == "rating":
                question["dimension"] = f"d{s}"
            if number % 10 == 9 and number > 10:
                question["show_if"] = f"answered(q{number - 1})"
            items.append(question)
            number += 1
        data["sections"].append({"id": f"s{s}", "title": f"Section {s}", "questions": items})
    money = [i for i in range(questions) if TYPES[i % len(TYPES)] == "money"]
    boolean = [i for i in range(questions) if TYPES[i % len(TYPES)] == "boolean"]
    percent = [i for i in range(questions) if TYPES[i % len(TYPES)] == "percent"]
    for r in range(questions * 3 // 10):
        kind = r % 3
        if kind == 0:
            q = money[r % len(money)]
            rule = {"when": f"q{q} > 5000000", "why": f"Value {{q{q}:money}} is above $5M."}
        elif kind == 1:
            q = boolean[r % len(boolean)]
            rule = {"when": f"q{q} == false", "why": f"Question {q} was answered no."}
        else:
            q = percent[r % len(percent)]
            a = money[(r + 1) % len(money)]
            rule = {
                "when": f"q{q} < 15 and q{a} > 1000000",
                "why": f"Premium {{q{q}:percent}} on {{q{a}:money}}.",
            }
        data["risks"].append(
            {
                "id": f"r{r}",
                "title": f"Rule {r}",
                "severity": ["high", "medium", "low"][r % 3],
                **rule,
            }
        )
    return data


def write(path: Path, questions: int = 1000) -> Path:
    path.write_text(yaml.safe_dump(questionnaire(questions), sort_keys=False), encoding="utf-8")
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "bench-1000.yaml")
    print(write(target, int(sys.argv[2]) if len(sys.argv) > 2 else 1000))
