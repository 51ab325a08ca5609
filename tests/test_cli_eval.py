from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from gatebook.cli import main

from .conftest import DATA, write


def gatebook(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_eval_json_shape(tmp_path: Path) -> None:
    answers = write(tmp_path / "a.yaml", "tcv_usd: 6M\ncontract_type: tm\nregulated_data: []\n")
    code, out, _ = gatebook("eval", "oqr", "--answers", str(answers), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["questionnaire"] == "oqr" and data["version"] == "3.0.0"
    assert data["complete"] is False
    assert data["missing"][:2] == ["customer", "opportunity"]
    assert [f["id"] for f in data["flags"]] == ["large_deal_size"]
    assert data["scores"] == {k: None for k in ["TE", "PM", "ADR", "C", "A", "ADS", "CO"]}
    assert data["overall"] is None and data["target"] == 90
    gate = data["gates"]["pre_implementation"]
    assert {k: gate[k] for k in ("passed", "met", "total")} == {
        "passed": False,
        "met": 0,
        "total": 5,
    }
    assert gate["unmet"] == [
        "gate_pre_implementation.high_risks_addressed",
        "gate_pre_implementation.cbos_validated",
        "gate_pre_implementation.architecture_approved",
        "gate_pre_implementation.security_controls_validated",
        "gate_pre_implementation.resources_committed",
    ]
    assert data["escalate"] is False and data["escalation_reasons"] == []


def test_eval_null_target_without_dimensions(tmp_path: Path) -> None:
    q = write(
        tmp_path / "q.yaml",
        "id: nodim\ntitle: N\nversion: '1'\nsections:\n  - id: s\n"
        "    title: S\n    questions:\n      - {id: a, type: number, prompt: A}\n",
    )
    answers = write(tmp_path / "a.yaml", "a: 3\n")
    code, out, _ = gatebook("eval", str(q), "--answers", str(answers), "--format", "json")
    assert code == 0
    assert json.loads(out)["overall"] is None and json.loads(out)["target"] is None


def test_eval_text_is_default(tmp_path: Path) -> None:
    answers = write(tmp_path / "a.yaml", "tcv_usd: 6M\n")
    code, out, _ = gatebook("eval", "oqr", "--answers", str(answers))
    assert code == 0 and "[HIGH] large_deal_size" in out


def test_eval_exit_2_on_bad_answers(tmp_path: Path) -> None:
    cases = {
        "tcv_usd: lots\n": "tcv_usd",
        "nope: 1\n": "nope",
        "contract_type: barter\n": "contract_type",
        "- a list\n": "mapping",
        "regulated_data: [pii, [x\n": "cannot read YAML",
    }
    for text, named in cases.items():
        answers = write(tmp_path / "a.yaml", text)
        code, out, err = gatebook("eval", "oqr", "--answers", str(answers), "--format", "json")
        assert code == 2, text
        assert named in err and "Traceback" not in err and out == ""


def test_eval_exit_2_on_bad_questionnaire(tmp_path: Path) -> None:
    answers = write(tmp_path / "a.yaml", "a: 1\n")
    bad = write(tmp_path / "bad.yaml", "id: x\n")
    code, _, err = gatebook("eval", str(bad), "--answers", str(answers))
    assert code == 2 and f"{bad}:1:1:" in err
    code, _, err = gatebook("eval", "no-such-questionnaire", "--answers", str(answers))
    assert code == 2 and "unknown questionnaire" in err


def test_not_applicable_in_answers_file(tmp_path: Path) -> None:
    answers = write(tmp_path / "a.yaml", "production_access: {not_applicable: advisory only}\n")
    code, out, _ = gatebook("eval", "oqr", "--answers", str(answers), "--format", "json")
    assert code == 0 and "production_access" not in json.loads(out)["missing"]


def test_validate_passes_and_fails_examples(tmp_path: Path) -> None:
    code, out, _ = gatebook("validate", str(DATA / "every_type.yaml"))
    assert code == 0 and "2 examples passed" in out
    text = (
        (DATA / "every_type.yaml")
        .read_text()
        .replace("flags: [big_budget, late_kickoff]", "flags: [big_budget]")
    )
    broken = write(tmp_path / "broken.yaml", text)
    code, _, err = gatebook("validate", str(broken))
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "name: big and late" in t)
    assert code == 2
    assert (
        f"{broken}:{line}:5: example 'big and late' fails: raised but not expected: "
        "late_kickoff" in err
    )


def test_schema_command() -> None:
    code, out, _ = gatebook("schema")
    assert code == 0 and json.loads(out)["title"] == "gatebook questionnaire"


def test_user_questionnaire_replaces_builtin(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    write(
        folder / "my-oqr.yaml",
        "id: oqr\ntitle: Team OQR\nversion: '9'\nsections:\n"
        "  - id: s\n    title: S\n    questions:\n      - {id: a, type: number, prompt: A}\n",
    )
    code, out, _ = gatebook("--questionnaires", str(folder), "questionnaires")
    assert code == 0
    assert "oqr" in out and "replaces the built-in" in out and "Team OQR" in out
    answers = write(tmp_path / "a.yaml", "a: 1\n")
    code, out, _ = gatebook(
        "--questionnaires",
        str(folder),
        "eval",
        "oqr",
        "--answers",
        str(answers),
        "--format",
        "json",
    )
    assert json.loads(out)["version"] == "9"


def test_installed_console_script_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gatebook", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "eval" in done.stdout
