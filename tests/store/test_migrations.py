"""Migrations from empty on SQLite and PostgreSQL, idempotent upgrades, and models == migrations."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, Enum, String, inspect, text

from connector.errors import StorageError
from connector.store import (
    Base,
    alembic_config,
    current_revision,
    db,
    ensure_schema,
    head_revision,
    make_engine,
    upgrade,
)

TABLES = {
    "account",
    "run",
    "downloaded_file",
    "remittance",
    "claim_payment",
    "service_line",
    "adjustment",
    "provider_adjustment",
    "claim_status_observation",
    "submission_batch",
    "acknowledgement",
    "control_number",
    "reconciliation_run",
    "reconciliation_result",
    "audit_event",
    "scheduler_lease",
    "web_user",
    "eligibility_check",
    "pdf_request",
    "file_blob",
    "file_entry",
    "totp_step",
}


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_from_empty_creates_every_table(
    empty_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no alembic.ini anywhere near: the config is built in code
    assert _tables(empty_db_url) == set()
    upgrade(empty_db_url)
    assert _tables(empty_db_url) == TABLES | {"alembic_version"}
    engine = make_engine(empty_db_url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_upgrade_is_idempotent_and_keeps_data(empty_db_url: str) -> None:
    upgrade(empty_db_url)
    engine = make_engine(empty_db_url)
    db_url = empty_db_url
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO control_number (name, next_value, updated_at) VALUES ('ISA13', 42, :now)"),
            {"now": "2026-01-01 00:00:00"},
        )
    upgrade(db_url)
    upgrade(db_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT next_value FROM control_number")).scalar_one() == 42
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
    engine.dispose()


def test_models_and_migrations_agree(engine: Engine) -> None:
    """Like `alembic check`: autogenerate against the migrated database finds nothing to do."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_downgrade_to_base_and_back(empty_db_url: str) -> None:
    upgrade(empty_db_url)
    engine = make_engine(empty_db_url)
    config = alembic_config(engine)
    command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    command.upgrade(config, "head")
    assert set(inspect(engine).get_table_names()) >= TABLES
    engine.dispose()


def test_ensure_schema_creates_an_empty_database_then_leaves_it(empty_db_url: str) -> None:
    ensure_schema(empty_db_url)
    assert _tables(empty_db_url) >= TABLES
    ensure_schema(empty_db_url)
    assert _tables(empty_db_url) >= TABLES


def test_ensure_schema_refuses_a_database_from_a_newer_connector(empty_db_url: str) -> None:
    upgrade(empty_db_url)
    engine = make_engine(empty_db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
    engine.dispose()
    db_url = empty_db_url
    with pytest.raises(StorageError, match="newer than this connector"):
        ensure_schema(db_url)


def test_ensure_schema_asks_for_an_upgrade_when_behind(
    empty_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade(empty_db_url)
    monkeypatch.setattr(db, "head_revision", lambda: "9999")
    with pytest.raises(StorageError, match="connector db upgrade"):
        ensure_schema(empty_db_url)


def test_bad_url_is_a_storage_error() -> None:
    with pytest.raises(StorageError, match="nosuchdb"):
        make_engine("nosuchdb://x/y")


SENTINEL = "s3ntinel-Pa55word"


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql+psycopg://connector:{SENTINEL}@127.0.0.1:1/connector",
        f"postgresql+psycopg://connector:{SENTINEL}@127.0.0.1:bad/connector",
        f"not a url {SENTINEL}",
    ],
)
def test_database_errors_never_show_the_password(url: str) -> None:
    for action in (upgrade, ensure_schema):
        with pytest.raises(StorageError) as caught:
            action(url)
        assert SENTINEL not in str(caught.value)
        assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_a_failing_upgrade_leaves_the_database_empty(
    empty_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole upgrade is one transaction on both backends: no half-made schema after a crash."""
    from alembic.operations import Operations

    calls = {"n": 0}
    real = Operations.create_index

    def failing_create_index(self: Operations, *args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("power cut")
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Operations, "create_index", failing_create_index)
    with pytest.raises(RuntimeError, match="power cut"):
        upgrade(empty_db_url)
    assert _tables(empty_db_url) == set()
    monkeypatch.undo()
    upgrade(empty_db_url)
    assert _tables(empty_db_url) >= TABLES


def test_concurrent_upgrades_queue_instead_of_colliding(empty_db_url: str) -> None:
    """Two processes upgrade the same empty database at once: all succeed, the schema is made once."""
    code = "import sys; from connector.store import upgrade; upgrade(sys.argv[1])"
    workers = [
        subprocess.Popen([sys.executable, "-c", code, empty_db_url], stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    for worker in workers:
        _, stderr = worker.communicate(timeout=120)
        assert worker.returncode == 0, stderr[-2000:]
    engine = make_engine(empty_db_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [
                head_revision()
            ]
    finally:
        engine.dispose()


def test_varchar_lengths_match_the_models_on_postgresql(pg_migrated_url: str) -> None:
    """Alembic's compare ignores a dropped length; check it ourselves where lengths are enforced."""
    engine = make_engine(pg_migrated_url)
    inspector = inspect(engine)
    engine.dispose()
    for table in Base.metadata.sorted_tables:
        reflected = {c["name"]: c["type"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if isinstance(column.type, String) and not isinstance(column.type, Enum):
                assert getattr(reflected[column.name], "length", None) == column.type.length, (
                    f"{table.name}.{column.name}"
                )


def test_upgrade_from_0001_keeps_rows_and_lifts_limits(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    config = alembic_config(engine)
    try:
        command.upgrade(config, "0001")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO claim_status_observation (claim_number, observed_at, status_text)"
                    " VALUES ('PCN-1', '2026-01-01 00:00:00', 'pending')"
                )
            )
        command.upgrade(config, "head")
        long_value = "C" * 120
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO claim_status_observation (claim_number, observed_at, status_text)"
                    " VALUES (:n, '2026-01-01 00:00:00', 'pending')"
                ),
                {"n": long_value},
            )
            stored = connection.execute(
                text("SELECT claim_number FROM claim_status_observation ORDER BY id")
            ).scalars()
            assert list(stored) == ["PCN-1", long_value]
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_a_database_at_the_head_is_checked_again_after_a_while(
    empty_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ensure_schema(empty_db_url)  # at the head now: remembered for SCHEMA_RECHECK_S
    engine = make_engine(empty_db_url)
    with engine.begin() as connection:  # a newer connector migrates it meanwhile
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
    engine.dispose()
    ensure_schema(empty_db_url)  # within the window: no connection opened, no error
    monkeypatch.setattr(db, "SCHEMA_RECHECK_S", 0.0)
    with pytest.raises(StorageError, match="newer than this connector"):
        ensure_schema(empty_db_url)
