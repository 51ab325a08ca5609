import sys, tempfile
from pathlib import Path
from benchmarks.__main__ import make_workspace, startup
root = Path(tempfile.mkdtemp())
make_workspace(root / "ws100", 100)
r = startup(root / "ws100", 5)
print(round(r["value"],2), r["gatebook_s"]["median"], r["baseline_s"]["median"])
