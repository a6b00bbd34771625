"""Encryption at rest of stored files: AES-256-GCM, keys in a folder by key id, rotation to a new key."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from connector.errors import ConfigError, StorageKeyError
from connector.fileio import atomic_write_bytes, ensure_private_dir

KEY_SUFFIX = ".key"
KEY_BYTES = 32
NONCE_BYTES = 12


def _aad(sha256: str, key_id: str) -> bytes:
    """Associated data: a ciphertext only opens under its own sha256 and key id (rows cannot be swapped)."""
    return f"connector-file\x1f{sha256}\x1f{key_id}".encode()


@dataclass(frozen=True, slots=True)
class Sealed:
    """Encrypted bytes as stored: the key id, the nonce and the ciphertext (with its GCM tag)."""

    key_id: str
    nonce: bytes
    ciphertext: bytes


class KeyRing:
    """The storage keys by id; new files are sealed with the current one, old ones open with theirs."""

    def __init__(self, keys: dict[str, bytes], current: str, folder: Path | None = None) -> None:
        if current not in keys:
            raise ConfigError(
                f"storage key {current!r} is not in the keys folder (CONNECTOR_STORAGE__CURRENT_KEY)"
            )
        self._keys = dict(keys)
        self.current = current
        self.folder = folder

    @property
    def ids(self) -> list[str]:
        """The key ids held, oldest first."""
        return sorted(self._keys)

    def seal(self, sha256: str, data: bytes) -> Sealed:
        """Encrypt ``data`` (whose sha256 is given) with the current key and a fresh random nonce."""
        nonce = os.urandom(NONCE_BYTES)
        box = AESGCM(self._keys[self.current])
        return Sealed(self.current, nonce, box.encrypt(nonce, data, _aad(sha256, self.current)))

    def open(self, sha256: str, sealed: Sealed) -> bytes:
        """Decrypt a stored file; a missing or wrong key is a StorageKeyError (never garbage bytes)."""
        key = self._keys.get(sealed.key_id)
        where = f" in {self.folder}" if self.folder else ""
        if key is None:
            raise StorageKeyError(
                f"stored file {sha256[:16]}... was encrypted with storage key {sealed.key_id!r}, which is not"
                f"{where}: restore {sealed.key_id}{KEY_SUFFIX}"
            )
        try:
            return AESGCM(key).decrypt(sealed.nonce, sealed.ciphertext, _aad(sha256, sealed.key_id))
        except InvalidTag:
            raise StorageKeyError(
                f"stored file {sha256[:16]}... does not decrypt with storage key {sealed.key_id!r}{where}: "
                "that key file holds a different key than the one that encrypted it (or the row was altered)"
            ) from None


def _read_key(path: Path) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(path.read_text().strip().encode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ConfigError(f"storage key file {path} is not base64 text") from None
    if len(raw) != KEY_BYTES:
        raise ConfigError(f"storage key file {path} holds {len(raw)} bytes, not {KEY_BYTES} (AES-256)")
    return raw


def load_keyring(folder: Path, current: str | None = None) -> KeyRing:
    """Read every ``<key id>.key`` in ``folder``; the current key is ``current`` or the newest id."""
    if not folder.is_dir():
        raise ConfigError(
            f"the storage keys folder {folder} does not exist (CONNECTOR_STORAGE__KEYS_DIR); "
            "create a key with `connector storage keygen`"
        )
    keys = {p.name[: -len(KEY_SUFFIX)]: _read_key(p) for p in folder.glob(f"*{KEY_SUFFIX}") if p.is_file()}
    if not keys:
        raise ConfigError(
            f"no storage key in {folder} (CONNECTOR_STORAGE__KEYS_DIR); "
            "create one with `connector storage keygen`"
        )
    return KeyRing(keys, current or max(keys), folder)


def new_key(folder: Path) -> str:
    """Write a new random AES-256 key (0600) into ``folder``; its id sorts after every older one."""
    ensure_private_dir(folder)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    key_id = f"k{stamp}-{secrets.token_hex(3)}"
    atomic_write_bytes(folder / f"{key_id}{KEY_SUFFIX}", base64.urlsafe_b64encode(os.urandom(KEY_BYTES)))
    return key_id
