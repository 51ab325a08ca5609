"""`gatebook serve`: the same app in a browser on this machine, with no internet.

textual-serve runs one `gatebook` process per browser tab. Its stock page loads a
web font from Google; the template in `serve_templates/` uses the font file
textual-serve ships instead, so the page works on an offline laptop.

A served review is a door into the workspace, so it has a lock (docs/contracts.md
"serve"): every start makes a random token and prints the URL with it, as Jupyter
does; a request without the token (in the query, or the cookie set from it) gets
403; the WebSocket upgrade is refused unless its `Origin` is the served origin; and
every request's `Host` must be the address served, which defeats DNS rebinding.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import shlex
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web
from textual_serve.server import Server

TEMPLATES = Path(__file__).parent / "serve_templates"
COOKIE = "gatebook_token"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def app_command(home: Path, questionnaire_dirs: list[Path]) -> str:
    """The shell command textual-serve starts for each browser session."""
    argv = [sys.executable, "-m", "gatebook", "--home", str(home)]
    for folder in questionnaire_dirs:
        argv += ["--questionnaires", str(folder)]
    return shlex.join(argv)


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def _host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"


class GatebookServer(Server):
    """textual-serve's server behind a token, an Origin check and a Host check."""

    def __init__(
        self,
        command: str,
        *,
        host: str,
        port: int,
        token: str,
        public_host: str | None = None,
    ) -> None:
        shown = public_host or ("localhost" if is_loopback(host) else host)
        super().__init__(
            command,
            host=host,
            port=port,
            title="gatebook",
            public_url=f"http://{_host_port(shown, port)}",
            templates_path=TEMPLATES,
        )
        self.token = token
        names = {host, *(LOOPBACK_NAMES if is_loopback(host) else ())}
        if public_host:
            names.add(public_host)
        self.allowed_hosts = {_host_port(name, port).lower() for name in names}
        if port == 80:
            self.allowed_hosts |= {name.lower() for name in names}

    @property
    def url(self) -> str:
        return f"{self.public_url}/?token={self.token}"

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self._guard)
        return app

    @web.middleware
    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        host = (request.headers.get("Host") or "").lower()
        if host not in self.allowed_hosts:
            return web.Response(status=403, text="403: this address is not the one served\n")
        offered = request.query.get("token") or request.cookies.get(COOKIE) or ""
        if not hmac.compare_digest(offered.encode(), self.token.encode()):
            return web.Response(status=403, text="403: open the URL gatebook printed\n")
        if request.headers.get("Upgrade", "").lower() == "websocket":
            origin = request.headers.get("Origin", "")
            if origin.lower() != f"http://{host}":
                return web.Response(status=403, text="403: foreign origin\n")
        response = await handler(request)
        if request.query.get("token"):
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="Strict", path="/")
        return response

    async def handle_index(self, request: web.Request) -> Any:
        """The page, with its WebSocket URL on the host the browser used."""
        self.public_url = f"http://{request.headers.get('Host', '')}"
        return await super().handle_index(request)

    async def on_startup(self, app: web.Application) -> None:
        print(f"gatebook is served at {self.url}", flush=True)
        print("Open that address (it holds the access token). Stop with ctrl+c.", flush=True)


def serve(
    home: Path,
    questionnaire_dirs: list[Path],
    host: str,
    port: int,
    *,
    token: str | None = None,
    public_host: str | None = None,
) -> None:
    """Serve until interrupted (ctrl+c)."""
    server = GatebookServer(
        app_command(home, questionnaire_dirs),
        host=host,
        port=port,
        token=token or new_token(),
        public_host=public_host,
    )
    server.serve()
