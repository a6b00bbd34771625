"""Storage keys: a wrong or missing key fails loudly, rotation re-encrypts every blob, start-up checks."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from connector.errors import ConfigError, StorageKeyError
from connector.filestore import (
    DatabaseStore,
    check_fleet_settings,
    keys_in_use,
    load_keyring,
    new_key,
    open_store,
    rotate,
)
from connector.settings import ConnectorSettings, StorageSettings
from connector.store.models import FileBlob


def test_wrong_key_fails_loudly_naming_the_key(
    dbstore: DatabaseStore, factory: sessionmaker[Session], keys_dir: Path
) -> None:
    stored = dbstore.put("pdf", "clinic", "pdf-a.pdf", b"%PDF-1.4 remit %%EOF")
    (key_file,) = keys_dir.glob("*.key")
    key_file.write_bytes(base64.urlsafe_b64encode(os.urandom(32)))  # same id, another key
    with pytest.raises(StorageKeyError, match=key_file.stem) as wrong:
        DatabaseStore(factory, load_keyring(keys_dir)).get(stored.location)
    assert "different key" in str(wrong.value)
    key_file.rename(keys_dir / "k0-other.key")
    with pytest.raises(StorageKeyError, match=f"restore {key_file.stem}.key"):
        DatabaseStore(factory, load_keyring(keys_dir)).get(stored.location)


def test_rotation_re_encrypts_every_blob_and_the_old_key_goes(
    dbstore: DatabaseStore, factory: sessionmaker[Session], keys_dir: Path
) -> None:
    (old_file,) = keys_dir.glob("*.key")
    files = {f"835-{n}.835": f"ISA*{n}*payment {n}~IEA*1~".encode() for n in range(5)}
    for name, data in files.items():
        dbstore.put("era", "clinic", name, data)
    new_id = new_key(keys_dir)
    ring = load_keyring(keys_dir)
    assert ring.current == new_id  # the newest key seals from now on
    assert rotate(factory, ring, batch=2) == 5
    assert keys_in_use(factory) == {new_id: 5}
    assert rotate(factory, ring) == 0
    old_file.unlink()
    after = DatabaseStore(factory, load_keyring(keys_dir))
    assert {name: after.get(f"db:{entry.sha256}") for name, entry in _by_name(after).items()} == files
    with factory() as session:
        assert set(session.scalars(select(FileBlob.key_id))) == {new_id}


def _by_name(files: DatabaseStore) -> dict[str, object]:
    return {entry.name: entry for entry in files.list()}


def _fleet(tmp_path: Path, url: str, **storage: object) -> ConnectorSettings:
    return ConnectorSettings(
        database_url=url, data_dir=tmp_path / "data", executor="queue", storage=StorageSettings(**storage)
    )


PG = "postgresql+psycopg://connector@db.example/connector"


def test_fleet_mode_on_sqlite_is_a_start_up_error_naming_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="CONNECTOR_DATABASE_URL"):
        check_fleet_settings(_fleet(tmp_path, f"sqlite:///{tmp_path}/connector.db", keys_dir=tmp_path))


def test_fleet_mode_without_a_key_is_a_start_up_error_naming_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CONNECTOR_SECRETS_DIR", raising=False)
    with pytest.raises(ConfigError, match="CONNECTOR_STORAGE__KEYS_DIR"):
        check_fleet_settings(_fleet(tmp_path, PG))
    with pytest.raises(ConfigError, match=r"CONNECTOR_STORAGE__KEYS_DIR.*connector storage keygen"):
        check_fleet_settings(_fleet(tmp_path, PG, keys_dir=tmp_path / "empty"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="no storage key"):
        check_fleet_settings(_fleet(tmp_path, PG, keys_dir=tmp_path / "empty"))
    with pytest.raises(ConfigError, match="CONNECTOR_STORAGE__BACKEND"):
        check_fleet_settings(_fleet(tmp_path, PG, backend="folder"))
    secrets = tmp_path / "secrets"
    new_key(secrets / "storage-keys")
    monkeypatch.setenv("CONNECTOR_SECRETS_DIR", str(secrets))
    check_fleet_settings(_fleet(tmp_path, PG))  # the secrets folder's storage-keys/ is found


def test_default_settings_keep_the_folder_store(tmp_path: Path) -> None:
    settings = ConnectorSettings(database_url=f"sqlite:///{tmp_path}/c.db", data_dir=tmp_path / "data")
    check_fleet_settings(settings)
    assert open_store(settings, None).backend == "folder"  # type: ignore[arg-type]
