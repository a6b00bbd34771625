"""File-store benchmark: N download-sized files stored and read back, folder store against database store.

The folder store (the single-machine default: plain 0600 files, atomic writes with fsync) is the peer; the
database store (AES-256-GCM, one transaction per file as the jobs do it) runs on SQLite and, when
CONNECTOR_TEST_POSTGRES_URL is set, on a private PostgreSQL database. Each contender runs in its own
subprocess; the whole subprocess is timed and its peak RSS read. Prints seconds, files/s, the ratio to the
folder store, and peak RSS.

    .venv/bin/python benchmarks/filestore.py [--files 500] [--kb 40]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _payloads(files: int, kb: int) -> list[bytes]:
    """Distinct ERA-like bodies (ISA ... IEA) of about ``kb`` KB each."""
    line = b"CLP*PCN%06d*1*125.00*100.00*25.00*12*PAYERCLAIM~CAS*CO*45*25.00~SVC*HC:99213*125*100~"
    return [
        b"ISA*00*" + b"".join(line % (i * 1000 + j) for j in range(kb * 12)) + b"IEA*1*1~"
        for i in range(files)
    ]


def contender(which: str, files: int, kb: int, url: str) -> None:
    """Run one contender in this process; print a JSON line of what it did."""
    from connector.filestore import DatabaseStore, FileStore, FolderStore, load_keyring, new_key
    from connector.store import make_engine, session_factory, upgrade

    root = Path(tempfile.mkdtemp(prefix="fsbench-"))
    payloads = _payloads(files, kb)
    store: FileStore
    if which == "folder":
        store = FolderStore(root / "data")
    else:
        upgrade(url)
        new_key(root / "keys")
        store = DatabaseStore(session_factory(make_engine(url)), load_keyring(root / "keys"))
    start = time.perf_counter()
    locations = [store.put("era", "clinic", f"835-{i}.835", data).location for i, data in enumerate(payloads)]
    stored = time.perf_counter() - start
    back = [store.get(location) for location in locations]
    read = time.perf_counter() - start - stored
    assert back == payloads
    print(json.dumps({"put_s": stored, "get_s": read}))


def _run(which: str, files: int, kb: int, url: str) -> dict[str, float]:
    start = time.perf_counter()
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--contender",
            which,
            "--files",
            str(files),
            "--kb",
            str(kb),
            "--url",
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    result["wall_s"] = time.perf_counter() - start
    result["rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return result


def _pg_database(admin_url: str) -> tuple[str, str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"fsbench_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _drop(admin_url: str, name: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def main(argv: list[str]) -> int:
    """Run the contenders one after the other and print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--kb", type=int, default=40)
    parser.add_argument("--contender")
    parser.add_argument("--url", default="")
    args = parser.parse_args(argv)
    if args.contender:
        contender(args.contender, args.files, args.kb, args.url)
        return 0
    work = Path(tempfile.mkdtemp(prefix="fsbench-db-"))
    runs = [("folder", ""), ("database/sqlite", f"sqlite:///{work / 'connector.db'}")]
    pg_admin = os.environ.get("CONNECTOR_TEST_POSTGRES_URL")
    pg_name = None
    if pg_admin:
        pg_name, pg_url = _pg_database(pg_admin)
        runs.append(("database/postgresql", pg_url))
    print(f"{args.files} files of ~{args.kb} KB, put then get (each contender its own process)")
    base = None
    try:
        for label, url in runs:
            got = _run(label.split("/")[0], args.files, args.kb, url)
            base = base or got["put_s"] + got["get_s"]
            total = got["put_s"] + got["get_s"]
            print(
                f"{label:22} put {got['put_s']:6.2f} s ({args.files / got['put_s']:7.0f} files/s)  "
                f"get {got['get_s']:6.2f} s  whole process {got['wall_s']:6.2f} s  "
                f"x{total / base:5.2f} of folder  peak RSS so far {got['rss_mb']:.0f} MB"
            )
    finally:
        if pg_admin and pg_name:
            _drop(pg_admin, pg_name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
