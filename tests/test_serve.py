"""`gatebook serve`: an offline page behind a token, an Origin check and a Host check.

Real HTTP and WebSocket requests to a real running server.
"""

from __future__ import annotations

import base64
import http.client
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("textual_serve")
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Served:
    def __init__(self, process: subprocess.Popen[str], port: int, url: str) -> None:
        self.process = process
        self.port = port
        self.url = url
        self.token = url.split("token=", 1)[1]

    def request(
        self, path: str, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        connection.request("GET", path, headers=sent)
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body

    def websocket_status(self, headers: dict[str, str]) -> int:
        """Send a real WebSocket upgrade and return the HTTP status line's code."""
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            "GET /ws HTTP/1.1",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
            *(f"{name}: {value}" for name, value in headers.items()),
        ]
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as sock:
            sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
            reply = sock.recv(4096).decode(errors="replace")
        return int(reply.split(" ", 2)[1])


def start(tmp_path: Path, *extra: str) -> Served:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gatebook",
            "--home",
            str(tmp_path / "ws"),
            "serve",
            "--port",
            str(port),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 30
    line = ""
    while time.monotonic() < deadline and "token=" not in line:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            raise AssertionError(process.stderr.read() if process.stderr else "no output")
    match = re.search(r"(http://\S+\?token=\S+)", line)
    assert match, line
    served = Served(process, port, match.group(1))
    while time.monotonic() < deadline:
        try:
            served.request("/")
            return served
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server never answered")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    server = start(tmp_path)
    yield server
    server.process.terminate()
    server.process.wait(timeout=10)


def test_the_url_has_a_token_and_names_the_served_host(served: Served) -> None:
    assert served.url.startswith(f"http://localhost:{served.port}/?token=")
    assert len(served.token) >= 32


def test_no_token_or_a_wrong_token_gets_403(served: Served) -> None:
    assert served.request("/")[0] == 403
    assert served.request("/?token=wrong")[0] == 403
    assert served.request(f"/?token={served.token[:-1]}")[0] == 403
    assert served.request("/static/fonts/RobotoMono-VariableFont_wght.ttf")[0] == 403
    assert served.websocket_status({"Host": f"127.0.0.1:{served.port}"}) == 403


def test_the_right_token_opens_the_page_and_sets_the_cookie(served: Served) -> None:
    status, headers, body = served.request(f"/?token={served.token}")
    assert status == 200
    assert "gatebook_token=" in headers.get("set-cookie", "")
    assert "httponly" in headers["set-cookie"].lower()
    cookie = f"gatebook_token={served.token}"
    font = served.request("/static/fonts/RobotoMono-VariableFont_wght.ttf", {"Cookie": cookie})
    assert font[0] == 200 and len(font[2]) > 10_000
    page = body.decode()
    assert "googleapis" not in page  # works offline
    external = [
        line
        for line in page.splitlines()
        if ("src=" in line or "href=" in line or "url(" in line)
        and "://" in line
        and f"127.0.0.1:{served.port}" not in line
    ]
    assert external == []


def test_websocket_needs_the_served_origin(served: Served) -> None:
    host = f"127.0.0.1:{served.port}"
    cookie = f"gatebook_token={served.token}"
    good = {"Host": host, "Origin": f"http://{host}", "Cookie": cookie}
    assert served.websocket_status(good) == 101
    for origin in ("http://evil.example", f"http://localhost.evil:{served.port}", "null", ""):
        assert served.websocket_status({**good, "Origin": origin}) == 403, origin


def test_a_rebinding_host_gets_403_even_with_the_token(served: Served) -> None:
    for host in (f"evil.example:{served.port}", "127.0.0.1", f"127.0.0.1:{served.port + 1}"):
        status, _, _ = served.request(f"/?token={served.token}", {"Host": host})
        assert status == 403, host
    assert served.request(f"/?token={served.token}", {"Host": f"localhost:{served.port}"})[0] == 200


def test_a_token_file_and_a_public_host(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("fixed-token-for-scripts-0123456789\n")
    refused = subprocess.run(
        [
            sys.executable,
            "-m",
            "gatebook",
            "--home",
            str(tmp_path / "ws"),
            "serve",
            "--host",
            "0.0.0.0",
            "--port",
            str(free_port()),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert refused.returncode == 2 and "--public-host" in refused.stderr
    server = start(tmp_path, "--token-file", str(token_file))
    try:
        assert server.token == "fixed-token-for-scripts-0123456789"
        assert server.request("/?token=fixed-token-for-scripts-0123456789")[0] == 200
    finally:
        server.process.terminate()
        server.process.wait(timeout=10)


def test_listening_on_the_network_needs_a_public_host_and_warns(tmp_path: Path) -> None:
    server = start(tmp_path, "--host", "0.0.0.0", "--public-host", "gatebook.test")
    try:
        assert server.url.startswith(f"http://gatebook.test:{server.port}/?token=")
        token = server.token
        assert (
            server.request(f"/?token={token}", {"Host": f"gatebook.test:{server.port}"})[0] == 200
        )
        assert server.request(f"/?token={token}", {"Host": f"evil.test:{server.port}"})[0] == 403
        assert server.request("/", {"Host": f"gatebook.test:{server.port}"})[0] == 403
    finally:
        server.process.terminate()
        _, err = server.process.communicate(timeout=10)
    assert "WARNING" in err and "network" in err
