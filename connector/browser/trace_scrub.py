"""Strip credentials from a Playwright trace before it is kept: cookies, authorization, CSRF, post bodies.

A kept trace never expires, so it must not hold what the saved sign-in holds. In ``trace.network`` the
``Cookie``, ``Set-Cookie``, ``Authorization`` and CSRF headers are masked, the parsed cookie lists are emptied
and every request body (sign-in posts included) is dropped with its resource file. Then every value seen in
those places, plus the caller's known secrets (the context's cookie values, configured passwords), is masked
wherever else it appears in the archive (DOM snapshots hold the CSRF token in a hidden field).
"""

from __future__ import annotations

import io
import json
import urllib.parse
import zipfile
from collections.abc import Iterable
from typing import Any

MASK = "***"
SENSITIVE_HEADERS = frozenset({"cookie", "set-cookie", "authorization", "proxy-authorization"})
MIN_SECRET_LEN = 6
"""Shorter values are not masked elsewhere in the archive (they would match ordinary text)."""
NETWORK_SUFFIX = ".network"


def _sensitive(name: str) -> bool:
    lowered = name.lower()
    return lowered in SENSITIVE_HEADERS or "csrf" in lowered or "xsrf" in lowered


def _header_values(name: str, value: str) -> list[str]:
    """The secret parts of a sensitive header: each cookie's value, the token of an authorization."""
    lowered = name.lower()
    if lowered == "cookie":
        return [part.partition("=")[2].strip() for part in value.split(";")]
    if lowered == "set-cookie":
        return [line.split(";", 1)[0].partition("=")[2].strip() for line in value.split("\n")]
    if lowered in ("authorization", "proxy-authorization"):
        return [value, value.partition(" ")[2]]
    return [value]


def _scrub_entry(entry: dict[str, Any], found: set[str], dropped: set[str]) -> None:
    snapshot = entry.get("snapshot")
    if not isinstance(snapshot, dict):
        return
    for side in ("request", "response"):
        message = snapshot.get(side)
        if not isinstance(message, dict):
            continue
        for header in message.get("headers") or []:
            if isinstance(header, dict) and _sensitive(str(header.get("name", ""))):
                found.update(_header_values(str(header["name"]), str(header.get("value", ""))))
                header["value"] = MASK
        for cookie in message.get("cookies") or []:
            if isinstance(cookie, dict):
                found.add(str(cookie.get("value", "")))
        message["cookies"] = []
    request = snapshot.get("request")
    if isinstance(request, dict) and request.get("postData"):
        post = request["postData"]
        if isinstance(post, dict):
            if post.get("_sha1"):
                dropped.add(f"resources/{post['_sha1']}")
            for key, values in urllib.parse.parse_qs(str(post.get("text", ""))).items():
                if _sensitive(key) or "token" in key.lower():
                    found.update(values)
        request["postData"] = {"mimeType": "text/plain", "text": "(request body not kept)"}
        request["bodySize"] = 0


def _scrub_network(data: bytes, found: set[str], dropped: set[str]) -> bytes:
    out = []
    for line in data.splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        if isinstance(entry, dict):
            _scrub_entry(entry, found, dropped)
        out.append(json.dumps(entry, separators=(",", ":")).encode())
    return b"\n".join(out) + b"\n"


def _mask_values(data: bytes, values: list[bytes]) -> bytes:
    for value in values:
        if value in data:
            data = data.replace(value, MASK.encode())
    return data


def scrub_trace(data: bytes, secrets: Iterable[str] = ()) -> bytes:
    """The trace archive ``data`` with credentials removed (see the module docstring); a new zip."""
    found: set[str] = set(secrets)
    dropped: set[str] = set()
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members = [(info, source.read(info)) for info in source.infolist()]
    networks = {}
    for info, body in members:
        if info.filename.endswith(NETWORK_SUFFIX):
            networks[info.filename] = _scrub_network(body, found, dropped)
    plain = {v for v in found if len(v) >= MIN_SECRET_LEN}
    variants = plain | {urllib.parse.quote(v, safe="") for v in plain} | {json.dumps(v)[1:-1] for v in plain}
    needles = sorted({v.encode() for v in variants}, key=len, reverse=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info, body in members:
            if info.filename in dropped:
                continue
            cleaned = networks.get(info.filename, body)
            target.writestr(info.filename, _mask_values(cleaned, needles))
    return out.getvalue()
