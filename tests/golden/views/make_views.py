"""Write the views workspace again (tests/golden/views/workspace/): an engagement with
OQR, PESA, S2D, kickoff, two DQIs and a close (carried risks, an overdue one); a
second engagement whose member is truncated on disk; an unreadable engagement file;
a loose review with an escalation awaiting a decision. The ids it draws are kept in
the files; tests/test_views_golden.py reads them through the CLI and compares with
the outputs captured beside them (run it with GATEBOOK_GOLDEN_WRITE=1 to capture).
Run from the repository with PYTHONPATH=src:

    python tests/golden/views/make_views.py
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).parent / "workspace"
H = Path(tempfile.mkdtemp()) / "home"
env = dict(os.environ, GATEBOOK_USER="tester")


def gb(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "gatebook", "--home", str(H), *args],
        capture_output=True,
        text=True,
        env=env,
    )
    if done.returncode != 0:
        raise SystemExit(f"{args}: {done.stderr}")
    return done.stdout.strip()


def sign(review: str, *extra: str) -> None:
    gb("signoff", review, "--role", "reviewer", "--name", "Ana Lima", "--decision", "approved",
       "--no-sign", *extra)  # fmt: skip


gb("init")
eng = gb("engagement", "new", "Acme data platform", "--customer", "Acme", "--start", "2026-01-05")
oqr = gb("new", "oqr", "--title", "Acme OQR", "--engagement", eng)
gb("set", oqr, "tcv_usd=6.2M", "contract_type=ffp", "ffp_value_usd=1M", "risk_premium_pct=20",
   "production_access=yes", "regulated_data=pii", "te_cutting_edge=3", "te_collaborative=4",
   "pm_on_time_budget=2")  # fmt: skip
gb("risk", oqr, "large_deal_size", "--mitigation", "Phased delivery", "--contingency",
   "Stop after phase 1", "--owner", "Ana Lima", "--due", "2026-03-01")  # fmt: skip
gb("risk", oqr, "production_access", "--mitigation", "Break-glass only", "--contingency",
   "Revoke access", "--owner", "Ben Ode", "--due", "2026-02-01",
   "--status", "mitigated")  # fmt: skip
gb("escalate", oqr, "--to", "Maria Ortiz, VP Delivery", "--decision", "proceed",
   "--date", "2026-01-20")  # fmt: skip
sign(oqr, "--override", "accepted at the deal desk")
pesa = gb("new", "pesa", "--title", "Acme PESA", "--engagement", eng)
gb("risk", pesa, "--add", "Key architect may leave", "--severity", "high")
s2d = gb("new", "s2d", "--title", "Acme S2D", "--engagement", eng, "--override", "fixture")
kickoff = gb("new", "kickoff", "--title", "Acme kickoff", "--engagement", eng, "--override", "x")
dqi1 = gb("new", "dqi", "--title", "Acme DQI 1", "--engagement", eng)
gb("set", dqi1, "inspection_date=2026-05-10")
dqi2 = gb("new", "dqi", "--title", "Acme DQI 2", "--engagement", eng)
gb("set", dqi2, "inspection_date=2026-09-10")
close = gb("new", "close", "--title", "Acme close", "--engagement", eng)

broken = gb(
    "engagement", "new", "Globex migration", "--customer", "Globex", "--start", "2026-02-02"
)
gx = gb("new", "oqr", "--title", "Globex OQR", "--engagement", broken)
gb("set", gx, "tcv_usd=2M")
gxp = gb("new", "pesa", "--title", "Globex PESA", "--engagement", broken)

loose = gb("new", "oqr", "--title", "Initech OQR", "--subject", "Initech")
gb("set", loose, "tcv_usd=7M", "production_access=yes", "custom_ai_ml=yes", "a_right_resources=1")
gb("risk", loose, "ai_ml_services", "--owner", "Cy Doe", "--due", "2026-04-01")

shutil.rmtree(OUT, ignore_errors=True)
shutil.copytree(H, OUT, ignore=shutil.ignore_patterns("index.json", "locks", "recovery"))
raw = (OUT / "reviews" / f"{gx}.json").read_bytes()
(OUT / "reviews" / f"{gx}.json").write_bytes(raw[:300])
(OUT / "engagements" / "eng-d00009.json").write_text('{"id": "eng-d00009", ', encoding="utf-8")
print(eng, oqr, pesa, s2d, kickoff, dqi1, dqi2, close, broken, gx, gxp, loose)
