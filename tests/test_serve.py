"""`gatebook serve` serves a page that needs nothing from the internet."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("textual_serve")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str, timeout: float = 20.0) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return bytes(response.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_serve_page_is_offline(tmp_path: Path) -> None:
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gatebook",
            "--home",
            str(tmp_path / "ws"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        page = fetch(f"http://127.0.0.1:{port}/").decode()
        assert "gatebook" in page
        assert "googleapis" not in page
        external = [
            line
            for line in page.splitlines()
            if ("src=" in line or "href=" in line or "url(" in line)
            and "://" in line
            and f"127.0.0.1:{port}" not in line
        ]
        assert external == []
        font = fetch(f"http://127.0.0.1:{port}/static/fonts/RobotoMono-VariableFont_wght.ttf")
        assert len(font) > 10_000
    finally:
        server.terminate()
        server.wait(timeout=10)
