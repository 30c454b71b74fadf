"""Logins to the web chat: the account from the settings or a file, failed attempts slowed.

Gradio's `auth` may be a function `(user, password) -> bool`, awaited when it is a coroutine
function, but its login route does not pass the request. A small ASGI middleware therefore
keeps the client's address in a context variable for the request it serves. Each failed
attempt makes that client wait longer before its answer (0.5 s, 1 s, 2 s ... up to 8 s),
and one client's attempts are checked one at a time, so firing many at once gains nothing.
A success, or 15 minutes without a failure, forgets the count.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from pathlib import Path

from assistant.settings import WebSettings
from ingest.errors import ConfigError

FIRST_DELAY = 0.5  # seconds after the first failure; doubles with each one after
MAX_DELAY = 8.0
FORGET_AFTER = 900.0  # seconds without a failure after which a client starts afresh
_client: ContextVar[str] = ContextVar("client", default="unknown")


def parse_auth(auth: str | None) -> tuple[str, str] | None:
    """`user:password` as Gradio's `(user, password)`; empty means no login."""
    if not auth:
        return None
    user, colon, password = auth.partition(":")
    if not colon or not user or not password:
        raise ConfigError("The login takes USER:PASSWORD, both non-empty (--auth, --auth-file or ASSISTANT_WEB__AUTH).")
    return user, password


def configured_account(web: WebSettings) -> tuple[str, str] | None:
    """The account the settings ask for: `web.auth`, else the first line of `web.auth_file`."""
    if web.auth or not web.auth_file:
        return parse_auth(web.auth)
    try:
        lines = Path(web.auth_file).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise ConfigError(f"Cannot read the login file {web.auth_file} ({error.strerror or error}).") from None
    return parse_auth(next((line.strip() for line in lines if line.strip()), ""))


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ClientAddress:
    """ASGI middleware: the address of the client of the request being served."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        client = scope.get("client") if scope["type"] == "http" else None
        if not client:
            await self.app(scope, receive, send)
            return
        token = _client.set(str(client[0]))
        try:
            await self.app(scope, receive, send)
        finally:
            _client.reset(token)


class LoginGuard:
    """Checks one account's password; each client's failures cost it a growing delay."""

    def __init__(self, user: str, password: str, first: float = FIRST_DELAY, most: float = MAX_DELAY) -> None:
        self._account = (user.encode(), password.encode())
        self.first, self.most = first, most
        self._failures: dict[str, tuple[int, float]] = {}  # client -> (failures in a row, last one)
        self._turns: dict[str, asyncio.Lock] = {}

    def delay(self, failures: int) -> float:
        """Seconds a client waits after its `failures`-th failure in a row."""
        return min(self.first * 2 ** (failures - 1), self.most)

    def checker(self) -> Callable[[str, str], Awaitable[bool]]:
        """The function Gradio calls (a coroutine function, so Gradio awaits it)."""

        async def check(username: str, password: str) -> bool:
            client = _client.get()
            async with self._turns.setdefault(client, asyncio.Lock()):
                if self._matches(username, password):
                    self._failures.pop(client, None)
                    return True
                await asyncio.sleep(self.delay(self._failed(client)))
                return False

        return check

    def _matches(self, username: str, password: str) -> bool:
        user_ok = hmac.compare_digest(username.encode(), self._account[0])
        return hmac.compare_digest(password.encode(), self._account[1]) and user_ok

    def _failed(self, client: str) -> int:
        now = time.monotonic()
        for other, (_, last) in list(self._failures.items()):
            if now - last > FORGET_AFTER:
                del self._failures[other]
        failures = self._failures.get(client, (0, now))[0] + 1
        self._failures[client] = (failures, now)
        return failures
