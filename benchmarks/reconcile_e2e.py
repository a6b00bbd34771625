"""End-to-end reconciliation as a user runs it: the real `connector reconcile` command and the scheduled
reconcile job (from a store on SQLite and on PostgreSQL), at billing-service scale, with each stage alone.

The data set is the sandbox generator's (fixed seed), written once into a cache folder and reused
(``benchmarks/_e2e_data.py``). Every measurement runs in its own child process; wall time, CPU time (user +
system, the child's and its children's) and peak RSS (``ru_maxrss`` of the child, from ``wait4``, and the
peak of Σ RSS over the child's process tree, sampled with psutil) are printed, plus the ratio of the whole
command to the sum of its stages measured alone, and of the single-ST remittance to the same claims spread
over many files. Targets (issue 17): 100,000 claims from files <= 20 s and <= 500 MB; glue <= 1.5x the
stages; single-ST <= 1.5x spread; the job from the store <= 30 s and <= 600 MB on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/reconcile_e2e.py [--claims 20000 --claims 100000] [--cache DIR]
        [--no-postgres] [--no-stages] [--baseline OTHER_CHECKOUT/.venv/bin/connector] [--json FILE]

PostgreSQL: ``CONNECTOR_TEST_POSTGRES_URL`` (a private database is created and dropped); without it the
PostgreSQL job is skipped and said so.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import _e2e_data as e2e_data  # noqa: E402

AS_OF = "2026-11-27"
CONNECTOR = str(Path(sys.executable).with_name("connector"))
STAGES = ("read ERAs", "read PM export", "match", "summary", "workbook")


def measure(argv: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``argv`` as a child; wall, CPU (its own and its children's) and peak RSS (MB): the child's own
    ``ru_maxrss``, and the peak of the RSS summed over the child and every process it started (sampled every
    20 ms with psutil: the command reads its ERA files in a second process)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=ROOT)
        tree = {"peak": 0}
        sampler = threading.Thread(target=_sample_tree, args=(child.pid, tree), daemon=True)
        sampler.start()
        _pid, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        sampler.join()
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if child.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(argv)} failed ({child.returncode}):\n{stderr[-3000:]}\n{stdout[-2000:]}")
    lines = stdout.strip().splitlines()
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss / 1024,
            "tree": tree["peak"] / 2**20, "last": lines[-1] if lines else ""}  # fmt: skip


def _sample_tree(pid: int, tree: dict[str, int]) -> None:
    """The peak of Σ RSS over the process and its descendants, until it ends."""
    import psutil

    try:
        root = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    while True:
        total = 0
        try:
            if root.status() == psutil.STATUS_ZOMBIE:
                return
            processes = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return
        for process in processes:
            try:
                total += process.memory_info().rss
            except psutil.NoSuchProcess:
                continue
        tree["peak"] = max(tree["peak"], total)
        time.sleep(0.02)


def command(folder: Path, eras: str, out: Path, executable: str = CONNECTOR) -> dict[str, Any]:
    """The real command, as a user runs it (bank deposits included)."""
    pm, bank = str(folder / "pm-export.csv"), str(folder / "bank-deposits.csv")
    return measure([executable, "reconcile", "--era", str(folder / eras), "--pm", pm, "--bank", bank,
                    "--as-of", AS_OF, "--out", str(out)])  # fmt: skip


def ratio(new: dict[str, Any], old: dict[str, Any]) -> str:
    """This run against the old path: CPU, wall and peak RSS as new/old."""
    return (f"new/old: CPU {new['cpu'] / old['cpu']:.2f}x, wall {new['wall'] / old['wall']:.2f}x, "
            f"peak RSS {new['tree'] / old['tree']:.2f}x (process tree)")  # fmt: skip


# --- stages alone, each in a child of its own ------------------------------------------------------------


def _inputs(folder: Path, eras: str) -> tuple[Any, Any, Any]:
    from connector.cli.pm_cmd import open_profile, practice_for
    from connector.cli.reconcile_cmd import read_eras
    from connector.codetables import load_code_lists
    from connector.pm.reader import read_charges, reconcile_needs
    from connector.reconcile import read_bank_csv

    remittances, _unread = read_eras([folder / eras], codes=load_code_lists(None))
    profile = open_profile("generic", None)
    needs = reconcile_needs(profile)
    export = read_charges(folder / "pm-export.csv", profile, practice=practice_for(profile, None, needs))
    bank = folder / "bank-deposits.csv"
    return remittances, export, read_bank_csv(bank.read_text(encoding="utf-8-sig"), bank.name)


def stage_child(stage: str, folder: Path, eras: str) -> str:
    """Time one stage alone, as the command runs it (cyclic GC paused; inputs prepared first, untimed):
    wall and CPU seconds as JSON."""
    from connector.reconcile.lines import paused_gc

    with paused_gc():
        clock, cpu = _stage(stage, folder, eras)
    return json.dumps({"wall": time.perf_counter() - clock, "cpu": time.process_time() - cpu})


def _stage(stage: str, folder: Path, eras: str) -> tuple[float, float]:
    """Run one stage; returns the wall and CPU clocks read when its timed part started."""
    from connector.codetables import load_reason_book
    from connector.reconcile import reconcile

    if stage == "read ERAs":
        from connector.cli.reconcile_cmd import read_eras
        from connector.codetables import load_code_lists

        codes = load_code_lists(None)
        start = time.perf_counter(), time.process_time()
        read_eras([folder / eras], codes=codes)
        return start
    if stage == "read PM export":
        from connector.cli.pm_cmd import open_profile, practice_for
        from connector.pm.reader import read_charges, reconcile_needs

        start = time.perf_counter(), time.process_time()
        profile = open_profile("generic", None)
        needs = reconcile_needs(profile)
        read_charges(folder / "pm-export.csv", profile, practice=practice_for(profile, None, needs))
        return start
    remittances, export, deposits = _inputs(folder, eras)
    book = load_reason_book()
    day = dt.date.fromisoformat(AS_OF)
    start = time.perf_counter(), time.process_time()
    result = reconcile(remittances, export.claims, as_of=day, deposits=deposits, book=book)
    if stage == "match":
        return start
    if stage == "summary":
        from connector.reconcile.snapshot import snapshot

        start = time.perf_counter(), time.process_time()
        snapshot(result, export.claims)
        return start
    from connector.report import write_report

    start = time.perf_counter(), time.process_time()
    write_report(result, folder / "stage-workbook.xlsx")  # in the cache folder, overwritten each run
    return start


# --- the scheduled job from a store -------------------------------------------------------------------


def _settings(folder: Path, url: str, data_dir: Path) -> Any:
    from pydantic import SecretStr

    from connector.settings import ConnectorSettings, PortalAccount

    account = PortalAccount(
        practice_name="Prairie Family Medicine", base_url="http://127.0.0.1:9", username="u",
        password=SecretStr("p"), totp_secret=SecretStr("JBSWY3DPEHPK3PXP"),
        pm_export=folder / "pm-export.csv", bank_csv=folder / "bank-deposits.csv",
    )  # fmt: skip
    return ConnectorSettings(accounts={"prairie": account}, data_dir=data_dir, database_url=url)


def fill_store(folder: Path, url: str) -> int:
    """A store holding every ERA file of the data set as downloaded by one eras run (untimed set-up)."""
    import hashlib

    from sqlalchemy import insert

    from connector import store
    from connector.store import DownloadedFile, FileKind

    store.ensure_schema(url)
    engine = store.make_engine(url)
    try:
        with store.session_factory(engine).begin() as session:
            account_id = store.upsert_account(
                session,
                "prairie",
                practice_name="Prairie",
                portal_kind="sandbox",
                base_url="http://127.0.0.1:9",
            )
            run_id = store.start_run(session, "eras", account_id)
            rows = []
            for path in sorted((folder / "eras").iterdir()):
                data = path.read_bytes()
                rows.append({"kind": FileKind.ERA_835, "sha256": hashlib.sha256(data).hexdigest(),
                             "size": len(data), "stored_path": str(path), "run_id": run_id})  # fmt: skip
            session.execute(insert(DownloadedFile), rows)
    finally:
        engine.dispose()
    return len(rows)


def job_child(folder: Path, url: str, data_dir: Path) -> str:
    """Run the reconcile job once, as the scheduler does; returns its counts."""
    from connector.jobs.execute import run_job

    settings = _settings(folder, url, data_dir)
    result = asyncio.run(
        run_job("reconcile", "prairie", settings, options={"as_of": dt.date.fromisoformat(AS_OF)})
    )
    if not result.ok:
        raise SystemExit(f"reconcile job failed: {result.error_message}")
    return json.dumps({"claims": result.counts.get("claims"), "eras": result.counts.get("eras")})


def postgres_database(base: str) -> tuple[str, Any]:
    """A private PostgreSQL database next to ``base``'s; returns its URL and a function dropping it."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"bench_e2e_{secrets.token_hex(4)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(base).set(database=name).render_as_string(hide_password=False), drop


# --- the parent -----------------------------------------------------------------------------------------


def row(label: str, r: dict[str, Any], note: str = "") -> None:
    """One printed result line."""
    tree = f" (tree {r['tree']:4.0f})" if "tree" in r else ""
    print(
        f"  {label:34} {r['wall']:7.2f} s wall {r['cpu']:7.2f} s CPU  peak {r['rss']:6.0f} MB{tree}  {note}"
    )


def run_size(claims: int, args: argparse.Namespace, results: dict[str, Any]) -> None:
    """Every measurement for one data set size."""
    # generated in a child: the children measured later would inherit this process's peak RSS in their
    # ru_maxrss (it survives fork and exec) had the data set been made here
    subprocess.run([sys.executable, __file__, "--cache", str(args.cache), "--prepare", "--size", str(claims)],
                   check=True, cwd=ROOT)  # fmt: skip
    folder = e2e_data.folder_for(args.cache, claims)
    meta = e2e_data.meta_of(folder)
    print(f"\n{meta['claims']:,} claims: {meta['era_files']:,} ERA files ({meta['era_mb']} MB, "
          f"{meta['era_claims']:,} CLPs), {meta['pm_lines']:,} PM lines (seed {meta['seed']})")  # fmt: skip
    me = [sys.executable, __file__, "--cache", str(args.cache)]
    out: dict[str, Any] = {"meta": meta}
    with tempfile.TemporaryDirectory() as tmp:
        spread = command(folder, "eras", Path(tmp) / "spread.xlsx")
        row("connector reconcile (many files)", spread)
        out["command"] = spread
        if not args.no_stages:
            total = {"wall": 0.0, "cpu": 0.0}
            for stage in STAGES:
                timed = json.loads(measure([*me, "--stage", stage, "--size", str(claims)])["last"])
                total = {k: total[k] + timed[k] for k in total}
                out[f"stage {stage}"] = timed
                print(f"    stage alone: {stage:18} {timed['wall']:6.2f} s wall {timed['cpu']:6.2f} s CPU")
            out["stages"] = total
            print(f"    sum of stages {total['wall']:.2f} s wall, {total['cpu']:.2f} s CPU; "
                  f"whole command / stages = {spread['wall'] / total['wall']:.2f}x wall, "
                  f"{spread['cpu'] / total['cpu']:.2f}x CPU "
                  "(target <= 1.5x)")  # fmt: skip
        if args.baseline:
            old = command(folder, "eras", Path(tmp) / "old-spread.xlsx", args.baseline)
            row("old path (many files)", old, ratio(spread, old))
            out["old command"] = old
        single = command(folder, "single", Path(tmp) / "single.xlsx")
        row(
            "connector reconcile (one ST..SE)",
            single,
            f"single/spread = {single['wall'] / spread['wall']:.2f}x",
        )
        out["single"] = single
        if args.baseline:
            old = command(folder, "single", Path(tmp) / "old-single.xlsx", args.baseline)
            row("old path (one ST..SE)", old, ratio(single, old))
            out["old single"] = old
        backends: list[tuple[str, str, Any]] = [("sqlite", f"sqlite:///{tmp}/job/connector.db", None)]
        pg = os.environ.get("CONNECTOR_TEST_POSTGRES_URL")
        if pg and not args.no_postgres:
            url, drop = postgres_database(pg)
            backends.append(("postgresql", url, drop))
        elif not args.no_postgres:
            print("  (PostgreSQL job skipped: CONNECTOR_TEST_POSTGRES_URL is not set)")
        for name, url, drop in backends:
            try:
                data_dir = Path(tmp) / f"data-{name}"
                (Path(tmp) / "job").mkdir(exist_ok=True)
                measure([*me, "--fill", url, "--size", str(claims)])
                job = measure([*me, "--job", url, "--data-dir", str(data_dir), "--size", str(claims)])
                row(f"reconcile job from the store ({name})", job, job["last"])
                out[f"job {name}"] = job
            finally:
                if drop is not None:
                    drop()
    results[str(claims)] = out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--claims", type=int, action="append")
    parser.add_argument("--cache", type=Path, default=ROOT / ".bench-cache")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-stages", action="store_true")
    parser.add_argument("--json", type=Path, help="Also write the results here.")
    parser.add_argument("--baseline", help="The `connector` executable of the old path (another checkout's "
                        ".venv/bin/connector): measured on the same data, with the ratios.")  # fmt: skip
    parser.add_argument("--stage")
    parser.add_argument("--fill")
    parser.add_argument("--job")
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--size", type=int)
    parser.add_argument("--eras", default="eras")
    parser.add_argument("--prepare", action="store_true")
    args = parser.parse_args()
    if args.prepare:
        e2e_data.prepare(args.cache, args.size)
        return
    if args.stage or args.fill or args.job:
        folder = e2e_data.folder_for(args.cache, args.size)
        if args.stage:
            print(stage_child(args.stage, folder, args.eras))
        elif args.fill:
            print(fill_store(folder, args.fill))
        else:
            print(job_child(folder, args.job, args.data_dir))
        return
    results: dict[str, Any] = {"date": dt.datetime.now(dt.UTC).isoformat(timespec="minutes"),
                               "cpus": os.cpu_count()}  # fmt: skip
    print(f"End-to-end reconciliation ({results['cpus']} CPUs, {results['date']}); cache {args.cache}")
    for claims in args.claims or [20_000, 100_000]:
        run_size(claims, args, results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
