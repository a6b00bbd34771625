"""The pages: Today, Money, Work lists, Claim, Reports, Eligibility, Fleet (all read-only, signed in)."""

from __future__ import annotations

import datetime as dt
import socket
from decimal import Decimal
from typing import Any

from sqlalchemy import MetaData, Table, func, inspect, select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from connector.filestore import open_store
from connector.jobs.registry import CYCLE_JOB, JOB_NAMES
from connector.store import lease_holder, running_runs, utcnow
from connector.web.auth import require, web
from connector.web.charts import bar_chart, line_chart
from connector.web.data_claim import carc_text, claim_story, rarc_text, status_words
from connector.web.data_money import SERIES, Day, days, latest
from connector.web.data_today import accounts, today
from connector.web.data_work import work_lists
from connector.web.files import reports
from connector.web.users import blocked_users

ELIGIBILITY_PREFIX = "eligibility"
FLEET_TABLES = ("procrastinate_jobs", "procrastinate_workers")
ROW_LIMIT = 50
WORK_ROWS = 500
"""Rows shown per work list group (the report's sheets have them all)."""
RUNNABLE = (CYCLE_JOB, *JOB_NAMES)
"""What an admin may run now: the whole cycle first, then each job."""
CHART_UNIT = {"money": "money", "percent": "percent", "days": "count", "count": "count"}


def _account(request: Request, known: list[str]) -> str | None:
    chosen = request.query_params.get("account")
    return chosen if chosen in known else None


@require()
async def today_page(request: Request) -> Response:
    """What ran, what failed and why, what needs a person, next runs, portal health — per account."""
    state = web(request)
    with state.factory() as db:
        items = today(db, state.settings, utcnow())
        blocked = blocked_users(db) if request.state.user.admin else []
    return state.render(
        request,
        "today.html",
        accounts=items,
        blocked=blocked,
        running=state.jobs.running(),
        run_accounts=list(state.settings.accounts),
        jobs=RUNNABLE,
    )


def _money_charts(day: Day) -> dict[str, Any]:
    t = day.totals
    stake = t.get("at_stake", {})
    return {
        "stake": bar_chart(
            "Money at stake",
            [
                ("Underpaid: appeal", Decimal(stake.get("underpaid", "0"))),
                *((f"Denied: {a}", Decimal(v)) for a, v in stake.get("denied_by_action", {}).items()),
                ("No ERA past the window", Decimal(stake.get("missing_era", "0"))),
            ],
            css="bar warn",
        ),
        "payers": bar_chart("Paid by payer", [(p["payer"], Decimal(p["paid"])) for p in t.get("payers", [])]),
        "categories": bar_chart(
            "Claims by category",
            [(c["label"], Decimal(c["claims"])) for c in t.get("categories", [])],
            unit="count",
            css="bar neutral",
        ),
        "aging": bar_chart(
            "Charges without a remittance, by age",
            [(a["bucket"], Decimal(a["charges"])) for a in t.get("aging", [])],
            css="bar warn",
        ),
        "denials": bar_chart(
            "Top denial reasons (dollars)",
            [
                (f"{d['group']}-{d['code']} {d['next_action']}", Decimal(d["amount"]))
                for d in t.get("denials", [])[:10]
            ],
            css="bar bad",
        ),
    }


@require()
async def money_page(request: Request) -> Response:
    """KPIs over time, per payer and per practice, as charts with the numbers beside them; daily tie-out."""
    state = web(request)
    with state.factory() as db:
        keys = [key for key, _ in accounts(db, state.settings)]
        newest = latest(db)
        chosen = _account(request, keys) or next(iter(sorted(newest)), None)
        history = [d for d in days(db, chosen) if d.complete] if chosen else []
    day = newest.get(chosen or "")
    trends = [
        (
            name,
            unit,
            line_chart(
                f"{name} by day", [(d.as_of.isoformat(), d.kpi(name)) for d in history], unit=CHART_UNIT[unit]
            ),
        )
        for name, unit in SERIES
    ]
    return state.render(
        request,
        "money.html",
        keys=keys,
        chosen=chosen,
        day=day,
        history=history,
        practices=newest,
        charts=_money_charts(day) if day else {},
        trends=trends,
        series=SERIES,
    )


@require()
async def worklists_page(request: Request) -> Response:
    """Denials by next action, underpayments to appeal, missing ERAs by age, claims rejected on a 277CA."""
    state = web(request)
    with state.factory() as db:
        keys = [key for key, _ in accounts(db, state.settings)]
        chosen = _account(request, keys)
        lists = work_lists(db, chosen)
    return state.render(request, "worklists.html", lists=lists, keys=keys, chosen=chosen, limit=WORK_ROWS)


@require()
async def claim_page(request: Request) -> Response:
    """One claim's whole story."""
    state = web(request)
    claim = request.path_params["claim"]
    with state.factory() as db:
        story = claim_story(db, claim, open_store(state.settings, state.factory).get)
        page = state.render(
            request,
            "claim.html",
            story=story,
            carc=carc_text,
            rarc=rarc_text,
            status_words=status_words,
            status=200 if story.found else 404,
        )
    return page


@require()
async def reports_page(request: Request) -> Response:
    """Every workbook written, to download."""
    state = web(request)
    found = [
        (account, path.name, dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC), path.stat().st_size)
        for account, path in reports(state.settings.data_dir)
    ]
    return state.render(request, "reports.html", reports=found)


def _tables(request: Request) -> list[str]:
    return sorted(inspect(web(request).engine).get_table_names())


def _rows(request: Request, name: str) -> tuple[int, list[str], list[tuple[Any, ...]]]:
    table = Table(name, MetaData(), autoload_with=web(request).engine)
    order = [c.desc() for c in table.primary_key.columns]
    with web(request).engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(table)).scalar_one()
        rows = connection.execute(select(table).order_by(*order).limit(ROW_LIMIT)).all()
    return int(count), [c.name for c in table.columns], [tuple(r) for r in rows]


@require()
async def eligibility_page(request: Request) -> Response:
    """Eligibility results, once the eligibility job wrote some (its tables have rows), else says so."""
    state = web(request)
    names = [n for n in _tables(request) if n.startswith(ELIGIBILITY_PREFIX)]
    # every database has the eligibility tables (migration i15_eligibility): empty ones mean "not set up"
    tables = [found for found in ((name, *_rows(request, name)) for name in names) if found[1] > 0]
    return state.render(request, "eligibility.html", tables=tables)


@require()
async def fleet_page(request: Request) -> Response:
    """Workers and queue in fleet mode; on a single machine, this host, the scheduler and running runs."""
    state = web(request)
    names = _tables(request)
    fleet = [(name, *_rows(request, name)) for name in FLEET_TABLES if name in names]
    with state.factory() as db:
        holder = lease_holder(db, "scheduler")
        running = running_runs(db)
    return state.render(
        request,
        "fleet.html",
        fleet=fleet,
        holder=holder,
        running=running,
        host=socket.gethostname(),
        started=state.jobs.running(),
    )


def routes() -> list[Route]:
    """The page routes."""
    return [
        Route("/", today_page),
        Route("/money", money_page),
        Route("/worklists", worklists_page),
        Route("/claims/{claim:path}", claim_page),
        Route("/reports", reports_page),
        Route("/eligibility", eligibility_page),
        Route("/fleet", fleet_page),
    ]
