"""Write the `attackplans_` cases of the hostile corpus again (after a plan format
changes): plans re-forged as an attacker who read the contract would (every digest
recomputed, the summary re-rendered with gatebook's own code) that `verify` must
fail and `import` must refuse without writing anything. Run from the repository with
PYTHONPATH=src:

    python tests/data/hostile/make_attackplans_cases.py
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from gatebook.engagement.plan import block_data, placed_member
from gatebook.engagement.plan_read import read_combined
from gatebook.engagement.plan_summary import PlanContent, derive, render_summary
from gatebook.milestone.point import digest_of_frozen
from gatebook.plan.document import (
    block_digest,
    data_block,
    parse_plan,
    plan_questionnaire,
    review_from_data,
)
from gatebook.store.canonical import digest_of

ROOT = Path(__file__).parent / "cases"
GOLDEN_V1 = Path(__file__).parent.parent.parent / "golden" / "v1" / "oqr.md"
H = Path(tempfile.mkdtemp()) / "home"
env = dict(os.environ, GATEBOOK_USER="tester")


def gb(*args):
    done = subprocess.run(
        [sys.executable, "-m", "gatebook", "--home", str(H), *args],
        capture_output=True,
        text=True,
        env=env,
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return done.stdout.strip()


def reforged(text, mutate):
    """The combined plan after `mutate` edited its block's content, its summary
    re-rendered from the members' own chapters and its digest recomputed."""
    combined = read_combined(text)
    mutate(combined.data["content"])
    content = PlanContent.model_validate(combined.data["content"])
    stages = {m.id: m.stage for m in content.members}
    members = []
    for chapter in combined.chapters:
        rest = chapter.inner[chapter.inner.index("\n\n", 1) + 1 : -1]
        parsed = parse_plan('---\ngatebook: "plan"\n---\n' + rest)
        review = review_from_data(parsed.data, now="")
        questionnaire = plan_questionnaire(parsed, "x")
        members.append(placed_member(chapter.id, stages[chapter.id], review, questionnaire))
    summary = render_summary(block_data(content), content, derive(content, members))
    return summary + text[len(combined.summary) :]


def with_data(text, mutate):
    """A single plan with its data block changed, the milestone's and block's digests
    recomputed."""
    data = parse_plan(text).data
    mutate(data)
    if isinstance(data.get("since"), dict):
        data["since"]["digest"] = digest_of_frozen(data["since"])
    if data.get("gatebook_plan") == 5 or "block_digest" in data:
        data["block_digest"] = block_digest(data)
    start = text.index("```json gatebook-data\n")
    end = text.index("\n```\n", start) + len("\n```\n")
    return text[:start] + data_block(data) + text[end:]


DEAL = """id: deal
title: Deal
version: "1"
target: 80
dimensions:
  - {id: Q, title: Quality}
sections:
  - id: facts
    title: Facts
    questions:
      - {id: tcv, type: money, prompt: Total value}
      - {id: quality, type: rating, prompt: Quality, dimension: Q}
signoff:
  - {id: lead, title: Lead, required: true}
"""
(H / "questionnaires").mkdir(parents=True)
(H / "questionnaires" / "deal.yaml").write_text(DEAL)

eng = gb("engagement", "new", "Acme platform", "--customer", "Acme", "--start", "2026-01-05")
dqi = gb("new", "dqi", "--title", "Acme DQI", "--engagement", eng)
gb("set", dqi, "inspection_date=2026-03-01", "csat_signal=negative")
gb("signoff", dqi, "--role", "engagement_manager", "--name", "Ana", "--decision", "approved",
   "--no-sign", "--override", "fixture")  # fmt: skip
combined = gb("engagement", "plan", eng) + "\n"
assert "the latest DQI rates red" in combined

deal = gb("new", "deal", "--title", "Acme deal")
gb("set", deal, "tcv=6M", "quality=2")
gb("milestone", deal, "validation")
gb("set", deal, "tcv=4M", "quality=3")
single = gb("export", deal, "--since", "validation") + "\n"


def restaged(content):
    content["members"][0]["stage"] = "close"


def backdated(content):
    content["as_of"] = "2026-01-20"


def hidden(content):
    del content["shared"]["customer"]


def listed_twice(content):
    content["members"].append(dict(content["members"][0]))


def since_null(data):
    data["since"] = None


def format_true(data):
    data["gatebook_plan"] = True


def questionnaire_path(data):
    data["content"]["questionnaire"] = "x.yaml"
    data["digest"] = digest_of(data["content"])


assert "the latest DQI rates red" not in reforged(combined, restaged)
cases = {
    "dqi_restaged": (
        reforged(combined, restaged),
        1,
        [f"member {dqi}: the engagement data block places it at stage close", "inspect"],
        "a DQI placed at stage close (its red rating gone), summary and digest redone",
    ),
    "as_of_backdated": (
        reforged(combined, backdated),
        1,
        ["as_of 2026-01-20 is before", "sign-off"],
        "as_of backdated before a member's sign-off, summary and digest redone",
    ),
    "shared_fact_hidden": (
        reforged(combined, hidden),
        1,
        ["shared fact customer is left out"],
        "a shared fact left out of the block, summary and digest redone",
    ),
    "member_listed_twice": (
        reforged(combined, listed_twice),
        1,
        [f"lists member {dqi} twice"],
        "the block listing a member twice (a traceback before)",
    ),
    "since_null": (
        with_data(single, since_null),
        1,
        ["the data block's `since` is null"],
        "a format-5 plan whose since is null, block digest redone (imported before)",
    ),
    "format_true": (
        with_data(single, format_true),
        2,
        ["unknown data block format"],
        "a plan whose format is `true` (read as format 1 before)",
    ),
    "crlf": (
        single.replace("\n", "\r\n"),
        2,
        ["the plan's lines end with CR LF"],
        "a plan with CR LF line endings (named as two data blocks before)",
    ),
    "v1_questionnaire_is_a_path": (
        with_data(GOLDEN_V1.read_text(), questionnaire_path),
        2,
        ["reads as a file name"],
        "a format-1 plan naming x.yaml, a file in the folder verify runs in",
    ),
}
for name, (plan, status, messages, why) in cases.items():
    for command in ("verify", "import"):
        folder = ROOT / f"attackplans_{name}_{command}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        (folder / "plan.md").write_bytes(plan.encode("utf-8"))
        if name == "v1_questionnaire_is_a_path":
            (folder / "workspace").mkdir()
            (folder / "workspace" / "x.yaml").write_text("id: x\ntitle: [unclosed\n")
        if name in ("since_null", "format_true", "crlf"):
            (folder / "workspace" / "questionnaires").mkdir(parents=True)
            (folder / "workspace" / "questionnaires" / "deal.yaml").write_text(DEAL)
        said = messages + (["nothing was written"] if command == "import" and status == 1 else [])
        spec = {
            "why": f"{command} of {why}: exit {status}, named, nothing written",
            "argv": [command, "{case}/plan.md"],
            "exit": status,
            "stderr": said,
        }
        (folder / "case.json").write_text(json.dumps(spec, indent=2) + "\n")
print(f"wrote {2 * len(cases)} cases")
