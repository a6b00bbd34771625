"""Fleet benchmark: the daily cycle of K practice accounts, one at a time vs the local executor vs workers.

One sandbox with K practices (default 16) at 200 ms page latency; for each configuration a fresh PostgreSQL
database and data folder: (a) one account after another in one process (today's behaviour per account),
(b) the local executor with max_sessions 2, (c) 1 worker x concurrency 2, (d) 2 workers x 2, (e) 4 workers
x 2.
Prints one JSON line per configuration: wall time, accounts per hour, peak RSS and PSS of each process tree
(the process plus its Chromium), PSS per running session (whole tree, and its browser processes only), the
most sessions any account had at once, and whether every account is correct (every job SUCCEEDED; its stored
835s equal the portal's by sha256; its reconciliation report written). Then the ratios to (a).
Usage: ``python benchmarks/fleet.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres
[--practices 16] [--latency 200] [--payments 8] [--only a,d]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import platform
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connector import store
from connector.browser.shared import SHARED, SharedBrowser
from connector.filestore import new_key
from connector.fleet.queue import defer, ensure_queue_schema, make_app
from connector.sandbox.era import era_bytes
from connector.sandbox.fleet import SandboxFleet
from connector.settings import ConnectorSettings

CONFIGS = {
    "a": ("one at a time, one process", "serial", 1, 1),
    "b": ("local executor, max_sessions 2", "local", 1, 2),
    "c": ("1 worker x 2", "queue", 1, 2),
    "d": ("2 workers x 2", "queue", 2, 2),
    "e": ("4 workers x 2", "queue", 4, 2),
}


class TreeSampler:
    """Samples each watched process tree (the process and its Chromium) once a second; keeps the peaks."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.peak_rss = dict.fromkeys(pids, 0)
        self.peak_pss = dict.fromkeys(pids, 0)
        self.peak_browser_pss = dict.fromkeys(pids, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _tree(self, pid: int) -> tuple[int, int, int]:
        """RSS and PSS of the whole tree, and PSS of its children only (Chromium and Playwright's driver)."""
        rss = pss = browser = 0
        with contextlib.suppress(psutil.Error):
            root = psutil.Process(pid)
            for proc in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    info = proc.memory_full_info()
                    rss += info.rss
                    share = getattr(info, "pss", info.uss)
                    pss += share
                    browser += share if proc.pid != pid else 0
        return rss, pss, browser

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid in self.pids:
                rss, pss, browser = self._tree(pid)
                self.peak_rss[pid] = max(self.peak_rss[pid], rss)
                self.peak_pss[pid] = max(self.peak_pss[pid], pss)
                self.peak_browser_pss[pid] = max(self.peak_browser_pss[pid], browser)
            self._stop.wait(1.0)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def fresh_database(admin_url: str) -> str:
    """A new database next to ``admin_url`` (dropped by :func:`drop_database`)."""
    name = f"fleetbench_{secrets.token_hex(4)}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, url: str) -> None:
    """Drop a database made by :func:`fresh_database`."""
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    engine.dispose()


def correct(practices: SandboxFleet, settings: ConnectorSettings) -> dict[str, bool]:
    """Per account: every run SUCCEEDED, stored 835s = the portal's (sha256), a reconciliation report."""
    verdict = {}
    with store.open_session(settings.database_url) as session:
        for name, server in practices:
            account = session.scalars(select(store.Account).where(store.Account.key == name)).first()
            if account is None:
                verdict[name] = False
                continue
            runs = list(session.scalars(select(store.Run).where(store.Run.account_id == account.id)))
            stored = set(
                session.scalars(
                    select(store.DownloadedFile.sha256)
                    .join(store.Run, store.Run.id == store.DownloadedFile.run_id)
                    .where(
                        store.Run.account_id == account.id,
                        store.DownloadedFile.kind == store.FileKind.ERA_835,
                    )
                )
            )
            portal = {hashlib.sha256(era_bytes(server.data, p)).hexdigest() for p in server.data.payments}
            reports = list((Path(settings.data_dir) / "reports" / name).glob("reconciliation-*.xlsx"))
            ok_runs = bool(runs) and all(r.outcome == store.RunOutcome.SUCCEEDED for r in runs)
            verdict[name] = ok_runs and stored == portal and bool(reports)
    return verdict


def inner_local(max_sessions: int, serial: bool) -> None:
    """The child process of (a) and (b): every account's cycle, one after another or through the limiter."""
    from connector.ops.dispatch import dispatch
    from connector.settings import load_settings

    settings = load_settings().model_copy(update={"max_sessions": max_sessions})

    async def main() -> None:
        names = sorted(settings.accounts)
        if serial:  # today's behaviour per account: a Chromium of its own for every job
            for name in names:
                await dispatch("all", name, settings)
            return
        browser = SharedBrowser(settings.browser)  # as `connector schedule` runs them: one Chromium
        SHARED.set(browser)
        try:
            await asyncio.gather(*(dispatch("all", name, settings) for name in names))
        finally:
            await browser.close()

    asyncio.run(main())


def wait_done(settings: ConnectorSettings, accounts: int, timeout: float) -> None:
    """Poll the ledger until every account's reconcile run is closed and nothing RUNNING is left."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with store.open_session(settings.database_url) as session:
            runs = list(session.scalars(select(store.Run)))
        closed = sum(r.job == "reconcile" and r.outcome != store.RunOutcome.RUNNING for r in runs)
        failed_early = {r.account_id for r in runs if r.outcome == store.RunOutcome.FAILED}
        running = sum(r.outcome == store.RunOutcome.RUNNING for r in runs)
        if closed + len(failed_early) >= accounts and running == 0:
            return
        time.sleep(1.0)
    raise TimeoutError("the fleet did not finish in time")


def run_config(key: str, practices: SandboxFleet, args: argparse.Namespace, root: Path) -> dict[str, Any]:
    """One configuration on a fresh database and data folder; returns its JSON line."""
    label, mode, workers, concurrency = CONFIGS[key]
    practices.reset()
    url = fresh_database(args.postgres)
    data_dir = root / f"data-{key}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECTOR_")}
    env.update(practices.environment())
    env.update({"CONNECTOR_DATABASE_URL": url, "CONNECTOR_DATA_DIR": str(data_dir)})
    keys = root / f"keys-{key}"
    keys.mkdir(mode=0o700)
    new_key(keys)  # fleet mode stores the files encrypted in the database
    env["CONNECTOR_STORAGE__KEYS_DIR"] = str(keys)
    settings = ConnectorSettings(database_url=url, data_dir=data_dir, accounts=practices.accounts())
    store.ensure_schema(url)
    procs: list[subprocess.Popen[bytes]] = []
    logs = root / f"log-{key}.txt"
    try:
        with open(logs, "wb") as log:
            if mode == "queue":
                env["CONNECTOR_EXECUTOR"] = "queue"
                command = [sys.executable, "-m", "connector.cli", "worker", "--concurrency", str(concurrency)]
                procs = [subprocess.Popen(command, env=env, stdout=log, stderr=log) for _ in range(workers)]
                queue_settings = settings.model_copy(update={"executor": "queue"})
                asyncio.run(_queue_ready(queue_settings))
                time.sleep(3)  # workers up (Playwright imported, registered) before the clock starts
                with TreeSampler([p.pid for p in procs]) as sampler:
                    start = time.perf_counter()
                    asyncio.run(_defer_all(queue_settings, sorted(practices.servers)))
                    wait_done(settings, len(practices), timeout=args.timeout)
                    wall = time.perf_counter() - start
            else:
                command = [sys.executable, __file__, "--inner", mode, "--max-sessions", str(concurrency)]
                start = time.perf_counter()
                child = subprocess.Popen(command, env=env, stdout=log, stderr=log)
                procs = [child]
                with TreeSampler([child.pid]) as sampler:
                    child.wait(timeout=args.timeout)
                    wall = time.perf_counter() - start
        verdict = correct(practices, settings)
        peaks = practices.max_simultaneous_sessions()
        rss = [sampler.peak_rss[p.pid] >> 20 for p in procs]
        pss = [sampler.peak_pss[p.pid] >> 20 for p in procs]
        browser = [sampler.peak_browser_pss[p.pid] >> 20 for p in procs]
        return {
            "config": key,
            "label": label,
            "workers": workers,
            "concurrency": concurrency,
            "accounts": len(practices),
            "wall_s": round(wall, 1),
            "accounts_per_hour": round(len(practices) * 3600 / wall),
            "peak_rss_mb_per_worker": rss,
            "peak_pss_mb_per_worker": pss,
            "pss_mb_per_running_session": round(max(pss) / concurrency),
            "browser_pss_mb_per_running_session": round(max(browser) / concurrency),
            "max_sessions_per_account": max(peaks.values()),
            "all_correct": all(verdict.values()),
            "wrong_accounts": sorted(k for k, v in verdict.items() if not v),
        }
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
        drop_database(args.postgres, url)


async def _queue_ready(settings: ConnectorSettings) -> None:
    app = make_app(settings)
    async with app.open_async():
        await ensure_queue_schema(app)


async def _defer_all(settings: ConnectorSettings, accounts: list[str]) -> None:
    app = make_app(settings)
    async with app.open_async():
        for name in accounts:
            await defer(app, settings, "all", name)


def main() -> None:
    """Run the chosen configurations and print one JSON line each, then the ratios to (a)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres", default=os.environ.get("CONNECTOR_TEST_POSTGRES_URL", ""))
    parser.add_argument("--practices", type=int, default=16)
    parser.add_argument("--latency", type=int, default=200)
    parser.add_argument("--payments", type=int, default=8)
    parser.add_argument("--only", default="a,b,c,d,e")
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--inner", choices=["serial", "local"], help=argparse.SUPPRESS)
    parser.add_argument("--max-sessions", type=int, default=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner_local(args.max_sessions, serial=args.inner == "serial")
        return
    if not args.postgres:
        print("fleet benchmark skipped: it needs PostgreSQL (--postgres URL or CONNECTOR_TEST_POSTGRES_URL)")
        return
    root = Path(tempfile.mkdtemp(prefix="fleetbench-"))
    practices = SandboxFleet(
        root / "practices", args.practices, payments=args.payments, faults={"latency": args.latency}
    ).start()
    machine = {"machine": platform.machine(), "cpus": os.cpu_count(), "python": platform.python_version()}
    machine |= {"date": time.strftime("%Y-%m-%d"), "practices": args.practices, "latency_ms": args.latency}
    print(json.dumps(machine | {"payments": args.payments}), flush=True)
    results = {}
    try:
        for key in args.only.split(","):
            results[key] = run_config(key.strip(), practices, args, root)
            print(json.dumps(results[key]), flush=True)
    finally:
        practices.stop()
    if "a" in results:
        base = results["a"]["wall_s"]
        ratios = {k: round(base / r["wall_s"], 2) for k, r in results.items()}
        print(json.dumps({"speedup_vs_a": ratios}), flush=True)


if __name__ == "__main__":
    main()
