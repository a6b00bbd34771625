"""Page rendering: Jinja2 templates, the v1/v2 naming of ids, classes and data-testids, CSRF tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

CSRF_COOKIE = "sbx_csrf"
SESSION_COOKIE = "sbx_session"
DEVICE_COOKIE = "sbx_device"

_ENV = Environment(loader=PackageLoader("connector.sandbox", "templates"), autoescape=select_autoescape())


@dataclass(frozen=True, slots=True)
class Naming:
    """How one UI variant names things. v1 (and optum's own sandbox pages): readable ids; v2: opaque ones."""

    variant: str

    def _v2(self, kind: str, name: str) -> str:
        return f"{kind}{hashlib.sha1(name.encode()).hexdigest()[:6]}"

    def id(self, name: str) -> str:
        """An element id (labels point at it with ``for``)."""
        return self._v2("k", name) if self.v2 else name

    def tid(self, name: str) -> str:
        """A data-testid value."""
        return "qa-" + self._v2("t", name) if self.v2 else name

    def cls(self, name: str) -> str:
        """A CSS class."""
        return self._v2("c-", name) if self.v2 else name

    @property
    def v2(self) -> bool:
        """True for the v2 variant (moved elements, other column order)."""
        return self.variant == "v2"

    @property
    def optum(self) -> bool:
        """True for the optum variant (Optum Pay's layout around the sandbox's own pages)."""
        return self.variant == "optum"


def csrf_token(request: Request) -> str:
    """The double-submit CSRF token: the cookie's value, or a fresh one set on the response."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not token:
        token = secrets.token_urlsafe(24)
        request.state.new_csrf = token
    return str(token)


async def csrf_ok(request: Request) -> bool:
    """True when the form's csrf_token equals the CSRF cookie."""
    form = await request.form()
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = form.get("csrf_token", "")
    return bool(cookie) and isinstance(sent, str) and secrets.compare_digest(cookie, sent)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page of the current variant with its naming, CSRF token and session flags."""
    state = request.app.state.sandbox
    naming = Naming(state.variant)
    session = getattr(request.state, "session", None)
    page = _ENV.get_template(template).render(
        n=naming,
        csrf=csrf_token(request),
        session=session,
        signed_in=session is not None and session.stage == "ok",
        practice=state.data.practice,
        optum_tins=state.enrolled_tins() if naming.optum else [],
        request=request,
        **context,
    )
    response = HTMLResponse(page, status_code=status_code)
    new = getattr(request.state, "new_csrf", None)
    if new:
        response.set_cookie(CSRF_COOKIE, new, httponly=True, samesite="lax")
    return response
