"""`connector users add|list|unblock`: the password from stdin, stored as an argon2 hash, never echoed."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from connector.cli import app
from connector.store import WebUser, open_session


def test_users_add_list_unblock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'connector.db'}"
    monkeypatch.setenv("CONNECTOR_DATABASE_URL", url)
    monkeypatch.setenv("CONNECTOR_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    added = runner.invoke(app, ["users", "add", "maria", "--role", "admin", "--password-stdin"],
                          input="a long enough secret\n")  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "maria (admin) saved" in added.output and "a long enough secret" not in added.output
    with open_session(url) as session:
        user = session.query(WebUser).one()
        assert user.password_hash.startswith("$argon2id$") and "secret" not in user.password_hash
        user.failed_logins = 7
        session.commit()
    listed = runner.invoke(app, ["users", "list"])
    assert listed.exit_code == 0 and "maria\tadmin\tlast sign-in never" in listed.output
    assert "maria may sign in again" in runner.invoke(app, ["users", "unblock", "maria"]).output
    short = runner.invoke(app, ["users", "add", "bob", "--password-stdin"], input="short\n")
    assert short.exit_code == 2 and "at least 10 characters" in short.output
    wrong_role = runner.invoke(app, ["users", "add", "bob", "--role", "root", "--password-stdin"],
                               input="a long enough secret\n")  # fmt: skip
    assert wrong_role.exit_code == 2 and "role must be one of viewer, admin" in wrong_role.output
