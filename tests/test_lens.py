"""AWS Well-Architected custom lenses: import, validate, run, and agree with the console.

The console's rule: a question's risk rules are tried in order and the first
condition that holds sets the risk (`default` always holds); an unanswered
question (empty selection) or one marked not applicable has no risk. The
`console_risk` below evaluates the lens JSON independently of gatebook (its own
tokenizer and parser) and every valid choice subset is compared.
"""

from __future__ import annotations

import itertools
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest

from gatebook.engine import evaluate
from gatebook.engine.values import ValueProblem, read_value
from gatebook.questionnaire import load_questionnaire
from gatebook.questionnaire.source import SourceError

# Copies of ../shared/lenses (real lenses by other people; see data/lenses/README.md).
from .cli_support import run_gatebook

LENSES = sorted((Path(__file__).parent / "data" / "lenses").glob("*.json"))
assert len(LENSES) == 8
DATA = Path(__file__).parent / "data"
MAX_SUBSETS = 1024
RISK = {"HIGH_RISK": "high", "MEDIUM_RISK": "medium", "NO_RISK": None}


def console_condition(condition: str, selected: set[str]) -> bool:
    """An independent evaluator of lens conditions: &&, ||, !, parentheses, choice ids."""
    if condition.strip() == "default":
        return True
    tokens = re.findall(r"&&|\|\||!|\(|\)|[^\s&|!()]+", condition)
    position = 0

    def primary() -> bool:
        nonlocal position
        token = tokens[position]
        position += 1
        if token == "!":
            return not primary()
        if token == "(":
            value = disjunction()
            position += 1  # ")"
            return value
        return token in selected

    def conjunction() -> bool:
        nonlocal position
        value = primary()
        while position < len(tokens) and tokens[position] == "&&":
            position += 1
            right = primary()
            value = value and right
        return value

    def disjunction() -> bool:
        nonlocal position
        value = conjunction()
        while position < len(tokens) and tokens[position] == "||":
            position += 1
            right = conjunction()
            value = value or right
        return value

    result = disjunction()
    assert position == len(tokens), condition
    return result


def console_risk(question: dict[str, Any], selected: set[str]) -> str | None:
    if not selected:
        return None
    for rule in question.get("riskRules", []):
        if console_condition(rule["condition"], selected):
            return RISK[rule["risk"]]
    return None


def valid_subsets(question: dict[str, Any], rng: random.Random) -> list[set[str]]:
    ids = [c["id"] for c in question["choices"]]
    normal = [c for c in ids if not c.endswith("_no")]
    exclusive = [{c} for c in ids if c.endswith("_no")]
    if 2 ** len(normal) <= MAX_SUBSETS:
        subsets = [
            set(combo)
            for size in range(len(normal) + 1)
            for combo in itertools.combinations(normal, size)
        ]
    else:
        subsets = [set()] + [{c for c in normal if rng.random() < 0.5} for _ in range(MAX_SUBSETS)]
    return subsets + exclusive


@pytest.mark.parametrize("lens_path", LENSES, ids=lambda p: p.stem)
def test_lens_risks_agree_with_the_console_on_every_subset(lens_path: Path) -> None:
    lens = json.loads(lens_path.read_text())
    questionnaire = load_questionnaire(lens_path)
    rng = random.Random(lens_path.stem)
    questions = [q for pillar in lens["pillars"] for q in pillar["questions"]]
    plans = {q["id"]: valid_subsets(q, rng) for q in questions}
    rounds = max(len(s) for s in plans.values())
    compared = 0
    for index in range(rounds):
        chosen = {qid: subsets[index % len(subsets)] for qid, subsets in plans.items()}
        order = {q["id"]: [c["id"] for c in q["choices"]] for q in questions}
        answers = {qid: [c for c in order[qid] if c in sel] for qid, sel in chosen.items()}
        result = evaluate(questionnaire, answers)
        raised = {f.id: f.severity for f in result.flags}
        for question in questions:
            expected = console_risk(question, chosen[question["id"]])
            assert raised.get(question["id"]) == expected, (question["id"], chosen[question["id"]])
            compared += 1
        pillars = result.to_json()["pillars"]
        for pillar in lens["pillars"]:
            counts = {"high": 0, "medium": 0, "none": 0, "not_applicable": 0, "unanswered": 0}
            for question in pillar["questions"]:
                selected = chosen[question["id"]]
                key = console_risk(question, selected) or ("none" if selected else "unanswered")
                counts[key] += 1
            assert pillars[pillar["id"]] == counts
    assert compared >= len(questions)


@pytest.mark.parametrize("lens_path", LENSES, ids=lambda p: p.stem)
def test_every_lens_imports_validates_and_runs(lens_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "lens.yaml"
    imported = run_gatebook("import-lens", str(lens_path), "-o", str(out))
    assert imported.returncode == 0, imported.stderr
    assert run_gatebook("validate", str(out)).returncode == 0
    assert run_gatebook("validate", str(lens_path)).returncode == 0
    lens = json.loads(lens_path.read_text())
    first = lens["pillars"][0]["questions"][0]
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({first["id"]: [first["choices"][0]["id"]]}))
    for source in (str(lens_path), str(out)):
        ran = run_gatebook("eval", source, "--answers", str(answers), "--format", "json")
        assert ran.returncode == 0, ran.stderr
        data = json.loads(ran.stdout)
        assert set(data["pillars"]) == {p["id"] for p in lens["pillars"]}
        expected = console_risk(first, {first["choices"][0]["id"]})
        assert {f["id"]: f["severity"] for f in data["flags"]}.get(first["id"]) == expected


def test_no_default_rule_not_applicable_and_improvement_plans() -> None:
    questionnaire = load_questionnaire(DATA / "lens_no_default.json")
    # only HIGH when a && b; no default: anything else is no risk
    assert [f.id for f in evaluate(questionnaire, {"Q1": ["a", "b"]}).flags] == ["Q1"]
    assert evaluate(questionnaire, {"Q1": ["a"]}).flags == []
    assert evaluate(questionnaire, {"Q1": []}).flags == []
    result = evaluate(questionnaire, {"Q2": ["x"]})
    [flag] = result.flags
    assert flag.severity == "medium"
    assert "Adopt y" in flag.mitigation and "Adopt x" not in flag.mitigation
    assert "Nothing to do" not in flag.mitigation  # "None of these" has no plan to list
    na = evaluate(questionnaire, {"Q2": ["x"]}, {"Q2": "no such workload"})
    assert na.flags == []
    assert na.to_json()["pillars"]["P1"] == {
        "high": 0,
        "medium": 0,
        "none": 0,
        "not_applicable": 1,
        "unanswered": 1,
    }
    question = questionnaire.question("Q2")
    assert question is not None
    with pytest.raises(ValueProblem, match="cannot be combined"):
        read_value(question, ["x", "Q2_no"])
    option = next(o for o in question.options if o.value == "x")
    assert option.help == "Why x matters" and option.url == "https://example.com/x"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda lens: lens.update(pillars="nope"), "`pillars` must be a non-empty list"),
        (
            lambda lens: lens["pillars"][0]["questions"][0]["riskRules"][0].update(
                condition="a && (b"
            ),
            "pillar 'P1', question 'Q1', risk rule 1: condition 'a && (b': a parenthesis",
        ),
        (
            lambda lens: lens["pillars"][0]["questions"][0]["riskRules"][0].update(
                condition="a && zz"
            ),
            "pillar 'P1', question 'Q1', risk rule 1: condition 'a && zz': unknown choice id 'zz'",
        ),
        (
            lambda lens: lens["pillars"][0]["questions"][0].pop("choices"),
            "pillar 'P1', question 'Q1': needs a `title` and a non-empty `choices`",
        ),
        (
            lambda lens: lens["pillars"][0]["questions"][0]["riskRules"][0].update(risk="BAD"),
            "risk 'BAD' is not one of",
        ),
    ],
)
def test_malformed_lens_names_pillar_question_and_rule(
    tmp_path: Path, mutate: Any, expected: str
) -> None:
    lens = json.loads((DATA / "lens_no_default.json").read_text())
    mutate(lens)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(lens, indent=2))
    with pytest.raises(SourceError) as caught:
        load_questionnaire(path)
    assert expected in str(caught.value)
    ran = run_gatebook("validate", str(path))
    assert ran.returncode == 2 and expected in ran.stderr and "Traceback" not in ran.stderr
    assert re.search(r"bad\.json:\d+:\d+: ", ran.stderr)


def test_bad_json_gets_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "schemaVersion": "2021-11-01",\n  "pillars": [,]\n}\n')
    ran = run_gatebook("import-lens", str(path))
    assert ran.returncode == 2
    assert "broken.json:3:" in ran.stderr and "not valid JSON" in ran.stderr


def test_lens_texts_carry_over_whatever_their_spelling() -> None:
    orr = load_questionnaire(DATA / "lenses" / "ORR-Whitepaper-Sample-PUBLISHED.json")
    urls = [o.url for q in orr.questions() for o in q.options]
    assert (
        "https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/" in urls
    )
    s3 = load_questionnaire(DATA / "lenses" / "Amazon_S3_Lens.json")
    option = next(o for q in s3.questions() for o in q.options if o.value == "OPS_4_1")
    assert "Or if your workload does not have Internet users" in option.improvement
    assert s3.question("OPS_1") is not None and s3.question("OPS_1").help  # type: ignore[union-attr]
