"""Choosing the file store from settings, and the start-up checks of fleet mode."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from connector.errors import ConfigError
from connector.filestore.base import FileStore
from connector.filestore.crypto import KeyRing, load_keyring
from connector.filestore.database import DatabaseStore
from connector.filestore.folder import FolderStore
from connector.settings import ConnectorSettings
from connector.store.db import is_sqlite

KEYS_FOLDER = "storage-keys"
"""The keys folder's name inside the secrets folder (CONNECTOR_SECRETS_DIR) when not set on its own."""


def fleet_mode(settings: ConnectorSettings) -> bool:
    """True when jobs run on a fleet of workers (``executor = "queue"``)."""
    return settings.executor == "queue"


def backend_of(settings: ConnectorSettings) -> str:
    """``folder`` or ``database``: the setting, where ``auto`` means database in fleet mode."""
    if settings.storage.backend == "auto":
        return "database" if fleet_mode(settings) else "folder"
    return settings.storage.backend


def keys_folder(settings: ConnectorSettings) -> Path | None:
    """The storage keys folder: CONNECTOR_STORAGE__KEYS_DIR, else <CONNECTOR_SECRETS_DIR>/storage-keys."""
    if settings.storage.keys_dir is not None:
        return settings.storage.keys_dir
    secrets = os.environ.get("CONNECTOR_SECRETS_DIR")
    return Path(secrets) / KEYS_FOLDER if secrets else None


def keyring(settings: ConnectorSettings) -> KeyRing:
    """The storage keys; a missing folder or key is a ConfigError naming the setting."""
    folder = keys_folder(settings)
    if folder is None:
        raise ConfigError(
            "the database file store needs a storage key: set CONNECTOR_STORAGE__KEYS_DIR (or "
            f"CONNECTOR_SECRETS_DIR, whose {KEYS_FOLDER}/ folder is used) and run `connector storage keygen`"
        )
    return load_keyring(folder, settings.storage.current_key)


def check_fleet_settings(settings: ConnectorSettings) -> None:
    """Start-up check of fleet mode (worker and dispatcher): PostgreSQL, the database store, a key.

    Raises ConfigError naming the setting to change. Outside fleet mode, only a chosen database store is
    checked for its key.
    """
    if fleet_mode(settings):
        if is_sqlite(settings.database_url):
            raise ConfigError(
                "fleet mode (CONNECTOR_EXECUTOR=queue) needs PostgreSQL, which every worker reaches: "
                "CONNECTOR_DATABASE_URL is a SQLite file"
            )
        if backend_of(settings) != "database":
            raise ConfigError(
                "fleet mode (CONNECTOR_EXECUTOR=queue) keeps shared files in the database: "
                "CONNECTOR_STORAGE__BACKEND must be auto or database, not folder"
            )
    if backend_of(settings) == "database":
        keyring(settings)


def open_store(settings: ConnectorSettings, factory: sessionmaker[Session]) -> FileStore:
    """The file store the settings choose (folder by default)."""
    if backend_of(settings) == "database":
        return DatabaseStore(factory, keyring(settings))
    return FolderStore(settings.data_dir)
