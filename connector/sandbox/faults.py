"""ASGI middleware for the request-level faults: latency, maintenance, 429, 5xx, dropped uploads."""

from __future__ import annotations

import asyncio
import random
import time
from email.utils import formatdate
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connector.sandbox.downloads import CYCLE_KEY, cut_connection
from connector.sandbox.state import SandboxState

UNFAULTED = ("/__admin", "/status")
UNCOUNTED = ("/__admin", "/status", "/favicon.ico")
"""Requests that are no browser session's: the admin API, the status page (read without signing in)."""
ERROR_CYCLE = (500, 502, 503)
_TEXT = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


def _page(status: int, title: str, text: str, headers: dict[str, str] | None = None) -> Response:
    html = (
        f'<!doctype html><html lang="en"><head><title>{title}</title></head><body><main>'
        f'<h1>{title}</h1><p role="alert">{text}</p><p><a href="/status">System status</a></p>'
        "</main></body></html>"
    )
    return HTMLResponse(html, status_code=status, headers=headers)


def _dated(send: Send, state: SandboxState) -> Send:
    """Every response carries a Date header on the portal's clock (real time + knob ``clock_offset`` s)."""

    async def send_dated(message: Message) -> None:
        if message["type"] == "http.response.start":
            stamp = formatdate(time.time() + int(state.faults["clock_offset"]), usegmt=True)
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"date"]
            message = {**message, "headers": [*headers, (b"date", stamp.encode())]}
        await send(message)

    return send_dated


class FaultMiddleware:
    """Applies the knobs of ``app.state.sandbox`` to every portal request (not /__admin, not /status)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.rng = random.Random(0)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _dated(send, scope["app"].state.sandbox)
        scope[CYCLE_KEY] = getattr(receive, "__self__", None)
        path: str = scope["path"]
        if path.startswith("/__admin"):
            await self.app(scope, receive, send)
            return
        state: SandboxState = scope["app"].state.sandbox
        if path.startswith(UNCOUNTED):
            await self._serve(state, scope, receive, send)
            return
        state.note_sessions_at_once()
        try:
            await self._serve(state, scope, receive, send)
        finally:
            state.note_sessions_at_once()  # a sign-in has made its session by now

    async def _serve(self, state: SandboxState, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        latency = int(state.faults["latency"])
        if latency > 0:
            await asyncio.sleep(latency / 1000)
        if path.startswith(UNFAULTED):
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(state)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        if scope["method"] == "POST" and path == "/batches" and self._take_drop(state):
            await self.app(scope, receive, _swallow)
            cut_connection(scope)
            return
        slow = int(state.faults["slow_reply"])
        if scope["method"] == "POST" and path == "/batches" and slow > 0:
            held: list[Message] = []

            async def hold(message: Message) -> None:
                held.append(message)

            await self.app(scope, receive, hold)  # the upload is processed now ...
            await asyncio.sleep(slow / 1000)  # ... and answered only later
            for message in held:
                await send(message)
            return
        await self.app(scope, receive, send)

    def _refusal(self, state: SandboxState) -> Response | None:
        faults = state.faults
        if faults["maintenance"]:
            text = "The provider portal is down for scheduled maintenance. Please try again later."
            return _page(503, "Scheduled maintenance", text, {"Retry-After": "3600"})

        with state.lock:
            limit = int(faults["rate_limit"])
            if limit > 0:
                window = max(1, int(faults["retry_after"]))
                now = time.monotonic()
                while state.rate_window and now - state.rate_window[0] >= window:
                    state.rate_window.popleft()
                if len(state.rate_window) >= limit:
                    text = "Too many requests. Please wait and try again."
                    return _page(429, "Too many requests", text, {"Retry-After": str(window)})
                state.rate_window.append(now)
            status = self._error_status(state, str(faults["error_rate"]), int(faults["error_status"]))
        if status:
            return _page(status, _TEXT.get(status, "Error"), "Something went wrong. Please try again later.")
        return None

    def _error_status(self, state: SandboxState, rule: str, fixed: int) -> int:
        if not rule:
            return 0
        state.error_requests += 1
        count = state.error_requests
        if rule.startswith("every:"):
            every = max(1, int(rule.split(":", 1)[1]))
            hit = count % every == 0
            serial = count // every
        else:
            hit = self.rng.random() < float(rule)
            serial = count
        if not hit:
            return 0
        return fixed or ERROR_CYCLE[(serial - 1) % len(ERROR_CYCLE)]

    @staticmethod
    def _take_drop(state: SandboxState) -> bool:
        with state.lock:
            drop = int(state.faults["drop"])
            if drop == 0:
                return False
            if drop > 0:
                state.faults["drop"] = drop - 1
            state.dropped += 1
            return True


async def _swallow(message: Message) -> None:
    """A send that throws the response away (the upload is processed, the client never hears back)."""


def request_of(scope: Scope, receive: Receive) -> Any:
    """A Starlette Request for a scope (helper for tests)."""
    return Request(scope, receive)
