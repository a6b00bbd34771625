"""Notifications through apprise: one alert per incident, drift and outage alerts, and the daily summary."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import apprise
from pydantic import SecretStr

from connector.logging import redact

log = logging.getLogger(__name__)


class IncidentLog(Protocol):
    """Remembers which incidents a person was told about (in the store: connector.ops.incidents)."""

    def is_open(self, key: str) -> bool:
        """True when an alert for ``key`` was already sent and the incident is not resolved."""
        ...

    def open(self, key: str, summary: str) -> None:
        """Record that an alert for ``key`` was sent."""
        ...

    def resolve(self, key: str) -> bool:
        """Close the incident; True when one was open."""
        ...


@dataclass
class MemoryIncidentLog:
    """An IncidentLog kept in memory (tests, one-off commands)."""

    open_keys: dict[str, str] = field(default_factory=dict)

    def is_open(self, key: str) -> bool:
        """True when the incident is open."""
        return key in self.open_keys

    def open(self, key: str, summary: str) -> None:
        """Record the incident."""
        self.open_keys[key] = summary

    def resolve(self, key: str) -> bool:
        """Close the incident."""
        return self.open_keys.pop(key, None) is not None


class Notifier:
    """Sends messages to the configured apprise URLs; every text passes the secret/PHI redaction first."""

    def __init__(
        self,
        urls: Iterable[SecretStr],
        incidents: IncidentLog | None = None,
        scrub: Callable[[str], str] = redact,
    ) -> None:
        self._apprise = apprise.Apprise()
        self._count = 0
        for url in urls:
            if self._apprise.add(url.get_secret_value()):
                self._count += 1
            else:
                log.warning("a notification URL was not understood by apprise and is ignored")
        self.incidents: IncidentLog = incidents or MemoryIncidentLog()
        self._scrub = scrub

    @property
    def configured(self) -> bool:
        """True when at least one notification URL is usable."""
        return self._count > 0

    def _send(self, title: str, body: str, kind: apprise.NotifyType, attach: Path | None = None) -> bool:
        if not self.configured:
            log.info("notification not sent (no notify_urls configured): %s", self._scrub(title))
            return False
        attachment = apprise.AppriseAttachment(str(attach)) if attach is not None else None
        ok = bool(
            self._apprise.notify(
                body=self._scrub(body), title=self._scrub(title), notify_type=kind, attach=attachment
            )
        )
        if not ok:
            log.warning("notification delivery failed: %s", self._scrub(title))
        return ok

    def alert(self, incident: str, title: str, body: str) -> bool:
        """Tell a person about a failure once per incident (not per retry); True when a message went out."""
        if self.incidents.is_open(incident):
            log.info("incident %s already reported; not alerting again", incident)
            return False
        sent = self._send(title, body, apprise.NotifyType.FAILURE)
        self.incidents.open(incident, title)
        return sent

    def resolved(self, incident: str, title: str, body: str) -> bool:
        """Say that an open incident is over (sent only if one was open)."""
        if not self.incidents.resolve(incident):
            return False
        return self._send(title, body, apprise.NotifyType.SUCCESS)

    def summary(self, title: str, body: str, report: Path | None = None) -> bool:
        """The daily summary, with the report attached where the channel allows."""
        return self._send(title, body, apprise.NotifyType.INFO, attach=report)
