import sys, tempfile, time
from pathlib import Path
from benchmarks.__main__ import make_workspace, env
from benchmarks.pty_driver import Terminal
root = Path(tempfile.mkdtemp())
make_workspace(root / "ws100", 100)
# warm the index
Terminal([sys.executable, "-m", "gatebook", "list"], (120,40), env(root/"ws100")).close()
t = Terminal([sys.executable, "-m", "cProfile", "-o", "/tmp/start.prof", "-m", "gatebook"], (120, 40), env(root / "ws100"))
print(t.wait_for(b"100 reviews"))
t.key(b"\x11"); time.sleep(1.5); t.close()
