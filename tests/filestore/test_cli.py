"""`connector storage keygen / rotate / check` on a real SQLite database."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from connector.cli import app
from connector.filestore import DatabaseStore, keys_in_use, load_keyring
from connector.store import make_engine, session_factory, upgrade


def test_keygen_then_rotate_re_encrypts_and_names_the_unused_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path}/connector.db"
    keys = tmp_path / "keys"
    for name, value in {
        "DATABASE_URL": url,
        "STORAGE__KEYS_DIR": str(keys),
        "STORAGE__BACKEND": "database",
    }.items():
        monkeypatch.setenv(f"CONNECTOR_{name}", value)
    runner = CliRunner()
    refused = runner.invoke(app, ["storage", "check"])
    assert refused.exit_code == 2 and "CONNECTOR_STORAGE__KEYS_DIR" in refused.output
    first = runner.invoke(app, ["storage", "keygen"])
    assert first.exit_code == 0, first.output
    (old_id,) = [p.stem for p in keys.glob("*.key")]
    assert (keys / f"{old_id}.key").stat().st_mode & 0o777 == 0o600
    upgrade(url)
    engine = make_engine(url)
    try:
        factory = session_factory(engine)
        DatabaseStore(factory, load_keyring(keys)).put("era", "clinic", "835-a.835", b"ISA*~IEA~")
        assert runner.invoke(app, ["storage", "keygen"]).exit_code == 0
        rotated = runner.invoke(app, ["storage", "rotate"])
        assert rotated.exit_code == 0, rotated.output
        assert "re-encrypted 1 stored file" in rotated.output and old_id in rotated.output
        assert old_id not in keys_in_use(factory)
        assert runner.invoke(app, ["storage", "check"]).exit_code == 0
    finally:
        engine.dispose()
