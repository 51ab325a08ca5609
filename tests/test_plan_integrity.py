"""Signed means signed: a corpus of forged plans through verify, import and cmark-gfm.

Forgeries are made the way an attacker would: with gatebook's own code, so digests
and text agree and only a signature or a recorded digest can tell. SSH keys are
real `ssh-keygen` keys (and a real `ssh-agent`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from gatebook.plan.document import parse_plan, plan_questionnaire, review_from_data
from gatebook.plan.render import render_plan
from gatebook.plan.signoff import legacy_message, ssh_sign
from gatebook.store import ReviewStore
from gatebook.store.model import Review

from .cli_support import run_gatebook
from .conftest import write
from .plan_support import FIXED_TIME, filled_review, fixed_store

SSH = shutil.which("ssh-keygen")
needs_ssh = pytest.mark.skipif(SSH is None, reason="needs ssh-keygen")
slow = pytest.mark.slow


@dataclass
class Signer:
    name: str
    key: Path
    allowed: Path


def make_key(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    key = folder / f"key-{len(list(folder.glob('key-*')))}"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True
    )
    return key


@pytest.fixture
def store(isolated_home: Path) -> ReviewStore:
    return fixed_store(isolated_home)


@pytest.fixture
def signer(tmp_path: Path) -> Signer:
    if SSH is None:
        pytest.skip("needs ssh-keygen")
    key = make_key(tmp_path / "keys", "Ana Lima")
    allowed = write(
        tmp_path / "allowed_signers", f'"Ana Lima" {key.with_suffix(".pub").read_text()}'
    )
    return Signer("Ana Lima", key, allowed)


def sign(review_id: str, role: str, *extra: str, name: str = "Ana Lima") -> None:
    done = run_gatebook(
        "signoff", review_id, "--role", role, "--name", name, "--decision",
        "approved-with-conditions", "--comment", "fix the SOW", "--override", "accepted",
        *extra,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def export(review_id: str, path: Path) -> Path:
    done = run_gatebook("export", review_id, "-o", str(path))
    assert done.returncode == 0, done.stderr
    return path


def signed_plan(store: ReviewStore, signer: Signer, tmp_path: Path) -> Path:
    review = filled_review(store, "oqr")
    sign(review.id, "reviewer", "--sign-key", str(signer.key))
    return export(review.id, tmp_path / "plan.md")


def forge(plan: Path, mutate: Callable[[Review], None], out: Path | None = None) -> Path:
    """Re-render a plan after `mutate`, with gatebook's own code: digest and text agree."""
    parsed = parse_plan(plan.read_text())
    review = review_from_data(parsed.data, FIXED_TIME)
    questionnaire = plan_questionnaire(parsed, str(plan))
    assert questionnaire is not None
    mutate(review)
    target = out or plan.with_name("forged.md")
    target.write_text(render_plan(review, questionnaire))
    return target


def verify(*args: str) -> tuple[int, dict[str, Any], str]:
    done = run_gatebook("verify", *args, "--format", "json")
    return done.returncode, json.loads(done.stdout), done.stderr


def states(report: dict[str, Any]) -> list[str]:
    return [s["state"] for s in report["signoffs"]]


# ---- the signature covers the whole sign-off --------------------------------------


@slow
@needs_ssh
def test_a_valid_signature_verifies_with_the_exact_json_contract(
    store: ReviewStore, signer: Signer, tmp_path: Path
) -> None:
    plan = signed_plan(store, signer, tmp_path)
    code, report, _ = verify(str(plan), "--allowed-signers", str(signer.allowed))
    assert code == 0
    assert report == {
        "ok": True,
        "digest_ok": True,
        "body_ok": True,
        "signoffs": [
            {
                "role": "reviewer",
                "name": "Ana Lima",
                "decision": "approved-with-conditions",
                "state": "valid",
            }
        ],
        "notes": [],
    }
    code, report, _ = verify(str(plan))
    assert code == 0 and states(report) == ["unchecked"]


@slow
@needs_ssh
@pytest.mark.parametrize(
    "field",
    ["comment", "override", "time", "decision", "name", "role"],
)
def test_any_field_changed_under_a_signature_is_a_bad_signature(
    store: ReviewStore, signer: Signer, tmp_path: Path, field: str
) -> None:
    plan = signed_plan(store, signer, tmp_path)
    changes = {
        "comment": "no conditions at all",
        "override": "nothing to override",
        "time": "2030-01-01T00:00:00Z",
        "decision": "approved",
        "name": "Ana  Lima",
        "role": "engagement_lead",
    }

    def change(review: Review) -> None:
        review.signoffs[0] = review.signoffs[0].model_copy(update={field: changes[field]})

    forged = forge(plan, change)
    code, report, _ = verify(str(forged), "--allowed-signers", str(signer.allowed))
    assert code == 1 and report["digest_ok"] and report["body_ok"]
    expected = "unknown-signer" if field == "name" else "bad-signature"
    assert states(report) == [expected]
    text = run_gatebook("verify", str(forged), "--allowed-signers", str(signer.allowed))
    assert expected in text.stdout and "FAILED" in text.stderr


@slow
@needs_ssh
def test_edited_data_with_a_recomputed_digest_voids_the_sign_off(
    store: ReviewStore, signer: Signer, tmp_path: Path
) -> None:
    plan = signed_plan(store, signer, tmp_path)
    forged = forge(plan, lambda r: r.answers.update({"tcv_usd": 1}))
    code, report, _ = verify(str(forged), "--allowed-signers", str(signer.allowed))
    assert code == 1 and report["digest_ok"] and report["body_ok"]
    assert states(report) == ["void"]
    text = run_gatebook("verify", str(forged))
    assert "void" in text.stdout and "answers.tcv_usd" in text.stdout
    assert 'status: "void"' in forged.read_text()  # the plan itself says so
    forged_q = forge(plan, lambda r: None)
    data = parse_plan(forged_q.read_text()).data
    data["questionnaire"]["risks"][0]["severity"] = "low"  # a milder questionnaire ...
    data["questionnaire_digest"] = "sha256:" + "0" * 64
    raw = forged_q.read_text()
    start = raw.index("```json gatebook-data\n") + len("```json gatebook-data\n")
    forged_q.write_text(raw[:start] + json.dumps(data) + raw[raw.index("\n```", start) :])
    code, report, _ = verify(str(forged_q), "--allowed-signers", str(signer.allowed))
    assert code == 1 and not report["digest_ok"]


@slow
@needs_ssh
def test_an_unsigned_sign_off_fails_with_allowed_signers_and_says_which(
    store: ReviewStore, signer: Signer, tmp_path: Path
) -> None:
    review = filled_review(store, "oqr")
    sign(review.id, "reviewer", "--sign-key", str(signer.key))
    sign(review.id, "engagement_lead", "--no-sign", name="Bo Chen")
    plan = export(review.id, tmp_path / "plan.md")
    code, report, _ = verify(str(plan), "--allowed-signers", str(signer.allowed))
    assert code == 1 and states(report) == ["valid", "unsigned"]
    text = run_gatebook("verify", str(plan), "--allowed-signers", str(signer.allowed))
    assert "Bo Chen (engagement_lead) is unsigned" in text.stderr
    code, report, _ = verify(str(plan))
    assert code == 0 and states(report) == ["unchecked", "unsigned"]


@slow
@needs_ssh
def test_unknown_signer_wrong_key_superseded_and_legacy(
    store: ReviewStore, signer: Signer, tmp_path: Path
) -> None:
    review = filled_review(store, "oqr")
    sign(review.id, "reviewer", "--sign-key", str(signer.key))
    sign(review.id, "reviewer", "--sign-key", str(signer.key))
    plan = export(review.id, tmp_path / "plan.md")
    code, report, _ = verify(str(plan), "--allowed-signers", str(signer.allowed))
    assert code == 0 and states(report) == ["superseded", "valid"]
    stranger = write(tmp_path / "stranger", signer.allowed.read_text().replace("Ana", "Eve"))
    assert states(verify(str(plan), "--allowed-signers", str(stranger))[1])[-1] == (
        "unknown-signer"
    )
    other = make_key(tmp_path / "other", "Ana Lima")
    wrong = write(tmp_path / "wrong", f'"Ana Lima" {other.with_suffix(".pub").read_text()}')
    code, report, _ = verify(str(plan), "--allowed-signers", str(wrong))
    assert code == 1 and states(report)[-1] == "bad-signature"

    def legacy(r: Review) -> None:
        old = r.signoffs[-1].model_copy(
            update={"format": None, "review": None, "questionnaire_digest": None, "fields": None}
        )
        old.signature = ssh_sign(legacy_message(r.origin or r.id, old), signer.key)
        r.signoffs[-1] = old

    forged = forge(plan, legacy)
    code, report, _ = verify(str(forged), "--allowed-signers", str(signer.allowed))
    assert code == 1 and states(report) == ["superseded", "legacy"]
    assert "re-sign" in run_gatebook("verify", str(forged), "--allowed-signers",
                                     str(signer.allowed)).stdout  # fmt: skip


# ---- status comes from the data -----------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('status: "partially-signed"', 'status: "signed"'),
        ("- Status: **partially-signed**", "- Status: **signed**"),
        ('"void": true', '"void": false'),
    ],
)
def test_a_claimed_status_without_the_sign_offs_fails(
    store: ReviewStore, tmp_path: Path, old: str, new: str
) -> None:
    review = filled_review(store, "oqr")
    sign(review.id, "reviewer", "--no-sign")
    if old.startswith('"void"'):
        run_gatebook("set", review.id, "customer=Changed after sign-off")
        old, new = "void: true", "void: false"
    plan = export(review.id, tmp_path / "plan.md")
    text = plan.read_text()
    assert old in text
    plan.write_text(text.replace(old, new, 1))
    code, report, _ = verify(str(plan))
    assert code == 1 and report["digest_ok"] and not report["body_ok"]


# ---- import checks before it trusts ---------------------------------------------------


def test_import_refuses_an_edited_body_unless_forced(
    store: ReviewStore, tmp_path: Path, isolated_home: Path
) -> None:
    review = filled_review(store, "oqr")
    plan = export(review.id, tmp_path / "plan.md")
    plan.write_text(plan.read_text().replace("## Summary", "## Summary (edited)", 1))
    reviews = sorted(p.name for p in (isolated_home / "reviews").iterdir())
    refused = run_gatebook("import", str(plan))
    assert refused.returncode == 1 and "text differs" in refused.stderr
    assert sorted(p.name for p in (isolated_home / "reviews").iterdir()) == reviews
    forced = run_gatebook("import", str(plan), "--force")
    assert forced.returncode == 0, forced.stderr
    assert "edited by hand" in forced.stderr
    assert store.get(forced.stdout.strip()).answers == review.answers


def test_import_never_takes_data_that_does_not_match_its_digest(
    store: ReviewStore, tmp_path: Path, isolated_home: Path
) -> None:
    review = filled_review(store, "oqr")
    plan = export(review.id, tmp_path / "plan.md")
    plan.write_text(plan.read_text().replace('"Golden Corp"', '"Forged Corp"'))
    for args in ((), ("--force",)):
        done = run_gatebook("import", str(plan), *args)
        assert done.returncode == 1 and "data block changed" in done.stderr, args
    assert len(list((isolated_home / "reviews").iterdir())) == 1


@slow
@needs_ssh
def test_import_checks_signatures_and_keeps_them_valid_under_a_new_id(
    store: ReviewStore, signer: Signer, tmp_path: Path
) -> None:
    plan = signed_plan(store, signer, tmp_path)
    done = run_gatebook("import", str(plan), "--allowed-signers", str(signer.allowed))
    assert done.returncode == 0, done.stderr
    new_id = done.stdout.strip()
    assert new_id != parse_plan(plan.read_text()).data["content"]["id"]
    again = export(new_id, tmp_path / "again.md")
    code, report, _ = verify(str(again), "--allowed-signers", str(signer.allowed))
    assert code == 0 and states(report) == ["valid"]
    assert (
        run_gatebook("show", new_id, "--format", "json").stdout.count('"status": "partially') == 1
    )
    forged = forge(plan, lambda r: setattr(r.signoffs[0], "comment", "forged"))
    refused = run_gatebook("import", str(forged), "--allowed-signers", str(signer.allowed))
    assert refused.returncode == 1 and "bad-signature" in refused.stderr


def test_paths_inside_a_plan_are_data(store: ReviewStore, tmp_path: Path) -> None:
    review = filled_review(store, "oqr")
    plan = export(review.id, tmp_path / "plan.md")
    secret = write(tmp_path / "secret.yaml", "id: secret\n")
    raw = plan.read_text()
    for hostile in (str(secret), "../secret.yaml", "oqr/../../secret"):
        forged = plan.with_name("hostile.md")
        forged.write_text(raw.replace('"questionnaire": "oqr"', f'"questionnaire": "{hostile}"'))
        for command in ("verify", "import"):
            done = run_gatebook(command, str(forged))
            assert done.returncode == 2, (command, done.stdout, done.stderr)
            assert "Traceback" not in done.stderr and "questionnaire" in done.stderr


# ---- plans verify for years -----------------------------------------------------------


def test_a_plan_verifies_without_its_questionnaire_file(tmp_path: Path) -> None:
    team = tmp_path / "team"
    source = Path(__file__).parent.parent / "questionnaires" / "pesa.yaml"
    write(team / "tailored.yaml", source.read_text().replace("id: pesa", "id: team-pesa", 1))
    home = tmp_path / "ws"
    made = run_gatebook("--home", str(home), "--questionnaires", str(team), "new", "team-pesa",
                        "--title", "Tailored")  # fmt: skip
    assert made.returncode == 0, made.stderr
    plan = tmp_path / "plan.md"
    done = run_gatebook("--home", str(home), "--questionnaires", str(team), "export",
                        made.stdout.strip(), "-o", str(plan))  # fmt: skip
    assert done.returncode == 0, done.stderr
    shutil.rmtree(team)
    elsewhere = run_gatebook("--home", str(tmp_path / "other"), "verify", str(plan))
    assert elsewhere.returncode == 0, elsewhere.stdout + elsewhere.stderr


def test_verify_takes_several_plans_one_verdict_each(store: ReviewStore, tmp_path: Path) -> None:
    plans = [export(filled_review(store, q).id, tmp_path / f"{q}.md") for q in ("oqr", "pesa")]
    broken = tmp_path / "broken.md"
    broken.write_text(plans[0].read_text().replace("## Summary", "## Summarz", 1))
    done = run_gatebook("verify", *map(str, plans))
    assert done.returncode == 0
    assert [line.split(": ", 1)[1][:2] for line in done.stdout.splitlines()] == ["OK", "OK"]
    done = run_gatebook("verify", *map(str, plans), str(broken))
    assert done.returncode == 1
    verdicts = [line for line in done.stdout.splitlines() if "OK" in line or "FAILED" in line]
    assert len(verdicts) == 3 and verdicts[-1].startswith(f"{broken}: FAILED")
    listed = json.loads(run_gatebook("verify", *map(str, plans), "--format", "json").stdout)
    assert [item["plan"] for item in listed] == list(map(str, plans))


# ---- every field is escaped, front matter included ------------------------------------------

PAYLOADS = [
    "[x](javascript:alert(1))",
    "![i](http://host/x.png)",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "http://auto.link/x.png www.example.com ana@example.com",
    "| a | b |\n|---|---|",
    "# heading\n---\n===",
    "`code` ~~strike~~ **bold** <details>",
    "\u202e right-to-left \x9b31m",  # C0 (\x1b) is refused where it enters: test_text_input
]


def hostile_questionnaire(text: str) -> str:
    """A questionnaire whose every text is `text` (titles, prompts, labels, why)."""
    quoted = json.dumps(text)
    return f"""id: hostile
title: {quoted}
version: "1"
target: 90
dimensions:
  - {{id: D, title: {quoted}}}
sections:
  - id: s
    title: {quoted}
    questions:
      - {{id: name, type: text, prompt: {quoted}, help: {quoted}}}
      - id: kind
        type: choice
        prompt: {quoted}
        options: [{{value: a, label: {quoted}}}, {{value: b, label: {quoted}}}]
      - {{id: score, type: rating, dimension: D, prompt: {quoted}}}
      - id: rows
        type: table
        prompt: {quoted}
        columns: [{{id: c, type: text, prompt: {quoted}}}]
risks:
  - id: r
    title: {quoted}
    category: {quoted}
    severity: high
    when: kind == "a"
    why: {json.dumps(text + " {{name}}")}
    mitigation: {quoted}
escalation:
  - {{id: e, when: kind == "a", reason: {quoted}}}
gates:
  - {{id: g, title: {quoted}, items: [done]}}
signoff:
  - {{id: lead, title: {quoted}}}
"""


def _gate_question(text: str) -> str:
    return text.replace(
        "      - id: rows",
        "      - {id: done, type: boolean, prompt: x}\n      - id: rows",
    )


def hostile_plan(tmp_path: Path, text: str) -> str:
    folder = tmp_path / f"q{abs(hash(text))}"
    write(folder / "hostile.yaml", _gate_question(hostile_questionnaire(text)))
    home = tmp_path / f"ws{abs(hash(text))}"
    base = ["--home", str(home), "--questionnaires", str(folder)]
    made = run_gatebook(*base, "new", "hostile", "--title", text, "--subject", text)
    assert made.returncode == 0, made.stderr
    review_id = made.stdout.strip()
    table = json.dumps([{"c": text}])
    done = run_gatebook(*base, "set", review_id, f"name={text}", "kind=a", "score=3",
                        f"rows={table}", "done=yes", "--note", f"name={text}",
                        "--mitigation", f"r={text}")  # fmt: skip
    assert done.returncode == 0, done.stderr
    records = [  # what the plan shows besides answers: register, escalation, a session
        ("risk", review_id, "r", "--contingency", text, "--owner", text, "--due", "2026-12-01"),
        ("risk", review_id, "--add", text, "--severity", "high"),
        ("escalate", review_id, "--to", text, "--decision", "proceed", "--note", text,
         "--date", "2026-11-29"),
        ("meeting", review_id, "--date", "2026-11-28", "--attendee", text, "--note", text),
    ]  # fmt: skip
    for args in records:
        done = run_gatebook(*base, *args)
        assert done.returncode == 0, done.stderr
    signed = run_gatebook(*base, "signoff", review_id, "--role", "lead", "--name", text,
                          "--decision", "rejected", "--comment", text, "--no-sign")  # fmt: skip
    assert signed.returncode == 0, signed.stderr
    plan = tmp_path / f"plan{abs(hash(text))}.md"
    assert run_gatebook(*base, "export", review_id, "-o", str(plan)).returncode == 0
    assert run_gatebook("--home", str(tmp_path / "elsewhere"), "verify", str(plan)).returncode == 0
    return plan.read_text()


def cmark(text: str) -> str:
    done = subprocess.run(
        ["cmark-gfm", "--unsafe", "-e", "table", "-e", "strikethrough", "-e", "autolink",
         "-e", "tagfilter"],
        input=text, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout


def shape(html: str) -> dict[str, Any]:
    return {
        "headings": re.findall(r"<h[1-6]", html),
        "tables": html.count("<table"),
        "rows": html.count("<tr"),
        "cells": html.count("<td"),
    }


@pytest.fixture(scope="module")
def cmark_gfm() -> Iterator[None]:
    if shutil.which("cmark-gfm") is None:
        if os.environ.get("GATEBOOK_REQUIRE_CMARK"):
            pytest.fail("cmark-gfm was installed by .ci/run but is not on PATH")
        pytest.skip("needs cmark-gfm (apt-get install cmark-gfm)")
    yield


@slow
@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_hostile_text_everywhere_renders_inert_on_a_code_host(
    tmp_path: Path, cmark_gfm: None, payload: str
) -> None:
    plain_html = cmark(hostile_plan(tmp_path, "plain words"))
    plan = hostile_plan(tmp_path, payload)
    html = cmark(plan)
    assert shape(html) == shape(plain_html)
    lowered = html.lower()
    assert 'href="javascript' not in lowered and "<img" not in lowered
    assert "<script" not in lowered
    hrefs = re.findall(r'<a href="([^"]*)"', html)
    assert all(re.match(r"(https?://|mailto:)", href) for href in hrefs), hrefs
    tags = set(re.findall(r"<(/?[a-z][a-z0-9]*)", html)) - set(
        re.findall(r"<(/?[a-z][a-z0-9]*)", plain_html)
    )
    assert tags <= {"a", "/a"}, tags  # no element but a web link the plain plan lacks
    front_html = cmark(plan.split("\n# ", 1)[0])  # code hosts render front matter as text
    assert "<a " not in front_html and "<img" not in front_html
    front = yaml.safe_load(plan.split("---\n", 2)[1])
    assert front["title"] == payload and front["subject"] == payload
    assert front["signoffs"][0]["name"] == payload
    data = parse_plan(plan).data
    assert data["content"]["answers"]["name"] == payload


# ---- signing with what people sign git commits with --------------------------------------


@pytest.fixture
def agent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    if shutil.which("ssh-agent") is None or SSH is None:
        pytest.skip("needs ssh-agent")
    sock = tmp_path / "agent.sock"
    process = subprocess.Popen(["ssh-agent", "-D", "-a", str(sock)], stdout=subprocess.DEVNULL)
    for _ in range(100):
        if sock.exists():
            break
        time.sleep(0.05)
    monkeypatch.setenv("SSH_AUTH_SOCK", str(sock))
    yield sock
    process.kill()
    process.wait()


@slow
@needs_ssh
def test_a_public_key_whose_private_half_is_in_ssh_agent(
    store: ReviewStore, signer: Signer, tmp_path: Path, agent: Path
) -> None:
    subprocess.run(["ssh-add", "-q", str(signer.key)], check=True, capture_output=True)
    private = signer.key.read_bytes()
    signer.key.unlink()  # only the agent holds it now
    review = filled_review(store, "oqr")
    sign(review.id, "reviewer", "--sign-key", str(signer.key.with_suffix(".pub")))
    plan = export(review.id, tmp_path / "plan.md")
    code, report, _ = verify(str(plan), "--allowed-signers", str(signer.allowed))
    assert code == 0 and states(report) == ["valid"]
    signer.key.write_bytes(private)


@slow
@needs_ssh
def test_git_config_user_signingkey_is_the_default(
    store: ReviewStore, signer: Signer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write(tmp_path / "gitconfig", f"[user]\n\tsigningkey = {signer.key}\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.chdir(tmp_path)
    review = filled_review(store, "oqr")
    sign(review.id, "reviewer")
    plan = export(review.id, tmp_path / "plan.md")
    code, report, _ = verify(str(plan), "--allowed-signers", str(signer.allowed))
    assert code == 0 and states(report) == ["valid"]
    sign(review.id, "engagement_lead", "--no-sign")
    assert states(verify(str(export(review.id, plan)))[1])[-1] == "unsigned"
    write(config, "[user]\n\tsigningkey = ABCDEF0123456789\n")  # a GPG key: not ours to use
    sign(review.id, "delivery_manager")
    assert states(verify(str(export(review.id, plan)))[1])[-1] == "unsigned"


def test_a_plan_from_before_a_new_questionnaire_key_still_verifies(
    store: ReviewStore, tmp_path: Path
) -> None:
    """Plans carry their questionnaire as written; a key added to the format later
    (here `checks`) must not change how an older plan re-renders."""
    from gatebook.plan.document import block_digest, data_block
    from gatebook.store.canonical import sha256_of

    plan = export(filled_review(store, "oqr").id, tmp_path / "plan.md")
    text = plan.read_text()
    data = parse_plan(text).data
    del data["questionnaire"]["checks"]  # as a gatebook without `checks:` wrote it
    data["questionnaire_digest"] = sha256_of(data["questionnaire"])
    data["block_digest"] = block_digest(data)
    start = text.index("```json gatebook-data\n")
    end = text.index("\n```\n", start) + len("\n```\n")
    older = plan.with_name("older.md")
    older.write_text(text[:start] + data_block(data) + text[end:])
    code, report, _ = verify(str(older))
    assert code == 0 and report["digest_ok"] and report["body_ok"], report
