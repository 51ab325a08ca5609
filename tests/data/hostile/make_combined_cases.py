"""Write the `combined_` cases of the hostile corpus again (after a plan format
changes): crafted combined plans that `verify` must fail, and workspaces that
`engagement plan` must refuse. Run from the repository with PYTHONPATH=src:

    python tests/data/hostile/make_combined_cases.py
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from gatebook.store.canonical import sha256_of

ROOT = Path(__file__).parent / "cases"
H = Path(tempfile.mkdtemp()) / "home"
env = dict(os.environ, GATEBOOK_USER="tester")


def gb(*args, check=True):
    done = subprocess.run(
        [sys.executable, "-m", "gatebook", "--home", str(H), *args],
        capture_output=True,
        text=True,
        env=env,
    )
    if check and done.returncode != 0:
        raise SystemExit(done.stderr)
    return done.stdout.strip()


Q = """id: {qid}
title: {qid} check
version: "1"
stage: {stage}
sections:
  - id: facts
    title: Facts
    questions:
      - {{id: customer, type: text, prompt: Customer, shared: true}}
      - {{id: tcv, type: money, prompt: Total value, shared: true}}
risks:
  - {{id: big, title: Big deal, category: financial, severity: high, when: tcv > 5000000}}
signoff:
  - {{id: lead, title: Lead, required: true}}
"""
(H / "questionnaires").mkdir(parents=True)
for qid, stage in (("v1", "validation"), ("s1", "sow")):
    (H / "questionnaires" / f"{qid}.yaml").write_text(Q.format(qid=qid, stage=stage))


def engagement(customer):
    eng = gb(
        "engagement", "new", f"{customer} platform", "--customer", customer, "--start", "2026-01-05"
    )
    v = gb("new", "v1", "--title", f"{customer} validation", "--engagement", eng)
    gb("set", v, "tcv=6M")
    gb(
        "signoff",
        v,
        "--role",
        "lead",
        "--name",
        "Ana",
        "--decision",
        "approved",
        "--no-sign",
        "--override",
        "ok",
    )
    s = gb("new", "s1", "--title", f"{customer} SOW", "--engagement", eng)
    return eng, v, s


eng, v, s = engagement("Acme")
eng2, v2, s2 = engagement("Acme")
text = gb("engagement", "plan", eng) + "\n"
other = gb("engagement", "plan", eng2) + "\n"
CH = re.compile(r"<!-- gatebook-member: (\S+) -->\n.*?<!-- gatebook-member-end: \1 -->\n", re.S)
ch = {m.group(1): m.group(0) for m in CH.finditer(text)}
och = {m.group(1): m.group(0) for m in CH.finditer(other)}
summary = text[: text.index("\n<!-- gatebook-member:") + 1]
BLOCK = re.compile(r"(```json gatebook-engagement\n)(.*?)(\n```\n)", re.S)


def with_block(t, data, rehash):
    if rehash:
        old = json.loads(BLOCK.search(t).group(2))["digest"]
        data["digest"] = sha256_of(data["content"])
        t = t.replace(old, data["digest"])
    body = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1)
    for c, e in {"`": "\\u0060", "<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}.items():
        body = body.replace(c, e)
    return BLOCK.sub(lambda m: m.group(1) + body + m.group(3), t, count=1)


data = json.loads(BLOCK.search(text).group(2))
green = re.sub(r"- Status: \*\*RED\*\*\n(  - .*\n)*", "- Status: **GREEN**\n", summary).replace(
    'status: "red"', 'status: "green"'
)
d2 = json.loads(json.dumps(data))
d2["content"]["as_of"] = "2026-01-06"
edited = json.loads(json.dumps(data))
edited["content"]["start"] = "2025-01-05"
stolen = (
    och[v2]
    .replace(f"gatebook-member: {v2} ", f"gatebook-member: {v} ")
    .replace(f"gatebook-member-end: {v2} ", f"gatebook-member-end: {v} ")
)

cases = {
    "member_removed": (
        text.replace("\n" + ch[s], ""),
        [f"member {s} is missing"],
        "a combined plan with a member cut out",
    ),
    "member_duplicated": (
        text + "\n" + ch[v],
        [f"member {v} appears a second time"],
        "a combined plan with a member's chapter twice",
    ),
    "members_reordered": (
        summary + "\n" + ch[s] + "\n" + ch[v],
        [f"member {s} is out of order"],
        "a combined plan with its members swapped",
    ),
    "member_spliced": (
        text.replace(ch[v], stolen),
        [f"member {v}: the chapter holds review {v2}"],
        "another engagement's review under a member marker",
    ),
    "text_appended": (
        text + "\nThe customer accepted every risk.\n",
        ["text stands outside the summary and the member chapters"],
        "text appended after the last member",
    ),
    "members_all_removed": (
        summary,
        [f"member {v} is missing", f"member {s} is missing"],
        "a combined plan with every member cut out",
    ),
    "summary_green_rehashed": (
        with_block(green, d2, True) + text[len(summary) :],
        ["the summary is not what its members and data block give"],
        "the summary rewritten GREEN with a recomputed digest",
    ),
    "block_edited": (
        with_block(text, edited, False),
        ["the engagement data block changed"],
        "the engagement data block edited",
    ),
}
for name, (plan, messages, why) in cases.items():
    folder = ROOT / f"combined_{name}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "plan.md").write_text(plan)
    spec = {
        "why": f"verify of {why} fails (exit 1) naming the line and the member",
        "argv": ["verify", "{case}/plan.md"],
        "exit": 1,
        "stderr": messages,
    }
    (folder / "case.json").write_text(json.dumps(spec, indent=2) + "\n")

# a damaged member: engagement plan refuses, writes nothing
folder = ROOT / "combined_damaged_member_plan"
shutil.rmtree(folder, ignore_errors=True)
(folder / "workspace" / "engagements").mkdir(parents=True)
(folder / "workspace" / "reviews").mkdir(parents=True)
shutil.copytree(H / "questionnaires", folder / "workspace" / "questionnaires")
shutil.copy(H / "engagements" / f"{eng}.json", folder / "workspace" / "engagements")
raw = (H / "reviews" / f"{v}.json").read_bytes()
(folder / "workspace" / "reviews" / f"{v}.json").write_bytes(raw[:300])
shutil.copy(H / "reviews" / f"{s}.json", folder / "workspace" / "reviews")
spec = {
    "why": "engagement plan refuses an engagement whose member is truncated on disk, "
    "naming it, and writes nothing",
    "argv": ["engagement", "plan", eng, "-o", "{home}/plans/combined.md"],
    "exit": 1,
    "stderr": [f"member {v} cannot be read"],
}
(folder / "case.json").write_text(json.dumps(spec, indent=2) + "\n")

folder = ROOT / "combined_no_members_plan"
shutil.rmtree(folder, ignore_errors=True)
(folder / "workspace" / "engagements").mkdir(parents=True)
record = json.loads((H / "engagements" / f"{eng}.json").read_text())
record["members"] = []
(folder / "workspace" / "engagements" / f"{eng}.json").write_text(
    json.dumps(record, sort_keys=True, indent=2) + "\n"
)
spec = {
    "why": "engagement plan refuses an engagement without members and writes nothing",
    "argv": ["engagement", "plan", eng, "-o", "{home}/plans/combined.md"],
    "exit": 1,
    "stderr": [f"engagement {eng} has no members"],
}
(folder / "case.json").write_text(json.dumps(spec, indent=2) + "\n")
print("ok", eng, v, s, len(text))
