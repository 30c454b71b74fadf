"""The bearer key that guards the machine-facing APIs: `/v1` and MCP over HTTP."""

from __future__ import annotations

import secrets

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

WRONG_KEY = "Incorrect or missing API key: send it as `Authorization: Bearer KEY` (the server's --api-key)."


def key_matches(authorization: str | None, key: str) -> bool:
    """Whether an `Authorization` header carries `Bearer <key>` (compared in constant time)."""
    scheme, _, given = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and secrets.compare_digest(given.strip().encode(), key.encode())


class BearerGuard:
    """ASGI middleware: an HTTP request without the key gets a 401 and reaches nothing."""

    def __init__(self, app: ASGIApp, key: str) -> None:
        self.app = app
        self.key = key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not key_matches(Headers(scope=scope).get("authorization"), self.key):
            refusal = JSONResponse({"error": WRONG_KEY}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)
