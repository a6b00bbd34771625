"""Where one account's files live under the data folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(slots=True)
class Paths:
    """Where one account's files live under data/ (all 0700 folders, 0600 files)."""

    root: Path
    account: str

    @property
    def downloads(self) -> Path:
        """Downloaded ERAs, PDFs and acknowledgements."""
        return self.root / "downloads" / self.account

    @property
    def storage_state(self) -> Path:
        """Saved sign-in (cookies): a credential."""
        return self.root / "state" / f"{self.account}.storage.json"

    @property
    def totp_state(self) -> Path:
        """When the last one-time code was used (no secret in it)."""
        return self.root / "state" / f"{self.account}.totp.json"

    @property
    def traces(self) -> Path:
        """Playwright traces kept on failure."""
        return self.root / "traces"

    @property
    def screenshots(self) -> Path:
        """Masked screenshots of unknown pages."""
        return self.root / "screenshots"

    @property
    def outbox(self) -> Path:
        """837 files waiting to be uploaded."""
        return self.root / "outbox" / self.account

    @property
    def login_block(self) -> Path:
        """Present after the portal refused the password: no run signs in until a person removes it."""
        return self.root / "state" / f"{self.account}.login-rejected.json"
