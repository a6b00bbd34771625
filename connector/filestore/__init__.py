"""The file store: downloaded files, reports, kept traces and saved sign-ins, in a folder or the database."""

from __future__ import annotations

from connector.filestore.base import DB_PREFIX, KINDS, Entry, FileStore, Kind, StoredFile
from connector.filestore.crypto import KeyRing, load_keyring, new_key
from connector.filestore.database import DatabaseStore, delete_entries, expire_named, keys_in_use, rotate
from connector.filestore.export import export_file, export_folders
from connector.filestore.folder import FolderStore
from connector.filestore.setup import (
    backend_of,
    check_fleet_settings,
    fleet_mode,
    keyring,
    keys_folder,
    open_store,
)
from connector.filestore.totp_steps import TotpSteps

__all__ = [
    "DB_PREFIX",
    "KINDS",
    "DatabaseStore",
    "Entry",
    "FileStore",
    "FolderStore",
    "KeyRing",
    "Kind",
    "StoredFile",
    "TotpSteps",
    "backend_of",
    "check_fleet_settings",
    "delete_entries",
    "expire_named",
    "export_file",
    "export_folders",
    "fleet_mode",
    "keyring",
    "keys_folder",
    "keys_in_use",
    "load_keyring",
    "new_key",
    "open_store",
    "rotate",
]
