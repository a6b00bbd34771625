"""The dashboard application: routes, middleware (security headers, signed session), templates, state."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from connector import store
from connector.reconcile.labels import category_label
from connector.settings import ConnectorSettings
from connector.web import actions, auth, files, pages
from connector.web.data_money import fmt_value
from connector.web.data_today import counts_text
from connector.web.jobs import JobRunner
from connector.web.security import CSRF_FIELD, SecurityHeaders, csrf_token, session_key
from connector.web.users import Throttle

HERE = Path(__file__).resolve().parent
COOKIE = "connector_session"
NAV = (
    ("/", "Today"),
    ("/money", "Money"),
    ("/worklists", "Work lists"),
    ("/reports", "Reports"),
    ("/eligibility", "Eligibility"),
    ("/fleet", "Fleet"),
)


class Web:
    """What every request shares: settings, the database, templates, the sign-in throttle, running jobs."""

    def __init__(self, settings: ConnectorSettings, runner: JobRunner | None = None) -> None:
        self.settings = settings
        store.ensure_schema(settings.database_url)
        self.engine = store.make_engine(settings.database_url)
        self.factory: sessionmaker[Session] = store.session_factory(self.engine)
        self.throttle = Throttle(settings.web.free_attempts, settings.web.max_block_seconds)
        self.unknown_names = auth.UnknownNames()
        self.jobs = runner or JobRunner(settings)
        self.zone = ZoneInfo(settings.timezone)
        self.env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(
            money=lambda v: fmt_value(v, "money"),
            figure=fmt_value,
            label=category_label,
            counts=counts_text,
            when=lambda value: _when(value, self.zone),
            date=_date,
            total=_total,
        )

    def render(self, request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
        """Render a page with the user, the navigation and the CSRF field every form needs."""
        user = getattr(request.state, "user", None)
        flash = request.session.pop("flash", None) if user is not None else None
        body = self.env.get_template(template).render(
            user=user,
            nav=NAV,
            path=request.url.path,
            csrf_field=CSRF_FIELD,
            csrf=csrf_token(request),
            flash=flash,
            **context,
        )
        return HTMLResponse(body, status_code=status)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()


def _when(value: dt.datetime | None, zone: ZoneInfo) -> str:
    """A moment in the practice's time zone."""
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z") if value else ""


def _total(rows: list[Any], attribute: str) -> Decimal:
    return sum((v for r in rows if (v := getattr(r, attribute, None)) is not None), Decimal(0))


def _date(value: object) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value or "")


async def favicon(_request: Request) -> Response:
    """Browsers ask for /favicon.ico whatever the page says: answer with the app's icon."""
    return Response((HERE / "static" / "favicon.svg").read_bytes(), media_type="image/svg+xml")


def create_app(settings: ConnectorSettings, runner: JobRunner | None = None) -> Starlette:
    """The dashboard over the store named by ``settings`` (SQLite or PostgreSQL)."""
    state = Web(settings, runner)
    key = session_key(
        settings.web.session_secret.get_secret_value() if settings.web.session_secret else None,
        Path(settings.data_dir) / "state",
    )
    routes = [
        Route("/login", auth.login_page, methods=["GET"]),
        Route("/login", auth.login_submit, methods=["POST"]),
        Route("/logout", auth.logout, methods=["POST"]),
        Route("/favicon.ico", favicon),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        *pages.routes(),
        *files.routes(),
        *actions.routes(),
    ]
    middleware = [
        Middleware(SecurityHeaders, hsts=settings.web.behind_tls),
        Middleware(
            SessionMiddleware,
            secret_key=key,
            session_cookie=COOKIE,
            max_age=None,
            same_site="strict",
            https_only=settings.web.behind_tls,
        ),
    ]
    app = Starlette(routes=routes, middleware=middleware)
    app.state.web = state
    return app
