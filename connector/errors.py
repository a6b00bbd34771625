"""One exception tree for the whole connector; what happens after a failed run is decided on these classes.

::

    ConnectorError                      base of everything we raise on purpose
    ├── ConfigError                     settings missing or invalid (names the variable)
    ├── StorageError                    database or data-folder problem
    │   ├── DiskFull                    no room left on the data folder's disk (names folder and space needed)
    │   └── StorageKeyError             a stored file cannot be decrypted: missing or wrong storage key
    ├── InputError                      a file handed to us is unusable (names file/row/column)
    │   ├── X12ParseError               malformed X12 (offset, segment number, segment id, element)
    │   ├── PMExportError               a PM export fails its schema check
    │   └── ArchiveRefused              a zip/XLSX over the size, ratio or member limits (a bomb)
    ├── ReportNotWritten                the process writing a report stopped before saving it
    ├── BrowserError                    Chromium cannot be found or started
    │   └── BrowserDied                 Chromium stopped mid-run (killed, out of memory) -> retry once
    └── PortalError                     something went wrong talking to a payer portal
        ├── PortalUnavailable           down, 5xx, 429, timeout  -> back off with jitter and retry
        │   └── PortalMaintenance       status page says maintenance -> skip, reschedule after window
        ├── SessionExpired              redirected to sign-in mid-run -> sign in once more
        ├── NeedsPerson                 stop, never retry, alert a person
        │   ├── LoginRejected           password refused -> NEVER retried (three strikes lock the account)
        │   ├── MfaFailed               TOTP code refused twice
        │   ├── SelectorMissing         the portal changed; a selector map needs updating
        │   └── UnknownInterstitial     a page we do not recognise stands between us and the work
        └── DownloadFailed              a download broke or was truncated -> retried like PortalUnavailable

Each class says what follows a failure (class attributes, read with ``isinstance``): ``retryable``
(PortalUnavailable and its subclasses but maintenance: the retry policy backs off and tries again),
``needs_person`` (NeedsPerson: alert a person once, never retry) and ``what_to_do`` (the advice sent).
A job's RunResult carries the exception object; the run ledger stores its class name and message, and
:func:`by_name` maps a stored name back to its class.

Messages never contain secrets or PHI: they name files, rows, steps and logical selector names.
"""

from __future__ import annotations

from typing import ClassVar

DEFAULT_ADVICE = "See `connector status` and the connector log."


class ConnectorError(Exception):
    """Base class of every error the connector raises on purpose.

    Class attributes drive what happens after a failed run (decided with ``isinstance``/attributes, never by
    comparing names): ``retryable`` (the retry policy tries again with backoff), ``needs_person`` (no retry
    can fix it: alert a person once) and ``what_to_do`` (the advice sent with the alert; ``{ACCOUNT}`` and
    ``{account}`` are filled in).

    Messages often quote input (a cell, a segment id, a file name): every control or format character in
    them is escaped repr-style (``\\x1b``), so a message is always one safe line.
    """

    retryable: ClassVar[bool] = False
    needs_person: ClassVar[bool] = False
    tell_person: ClassVar[bool] = False
    """Not a portal problem a person must fix before work resumes, but one a person must hear about, once."""
    what_to_do: ClassVar[str] = DEFAULT_ADVICE
    line_breaks: ClassVar[bool] = False
    """True for an error whose message is a list, one line per problem (each line escaped on its own)."""

    @classmethod
    def advice(cls, account: str) -> str:
        """What a person should do, for this account."""
        return cls.what_to_do.replace("{ACCOUNT}", account.upper()).replace("{account}", account)

    def __init__(self, *args: object) -> None:
        from connector.safetext import printable

        keep = "\n" if self.line_breaks else ""
        super().__init__(*(printable(a, keep) if isinstance(a, str) else a for a in args))


class ConfigError(ConnectorError):
    """Settings are missing or invalid; the message names the variable to set."""


class StorageError(ConnectorError):
    """The database or the data folder cannot be used."""


class StorageKeyError(StorageError):
    """A stored file cannot be decrypted: its key is missing from the keys folder, or is not the one that
    encrypted it (or the row was altered). Names the file's sha256 and the key id, never the bytes."""

    tell_person = True
    what_to_do = (
        "Put the storage key file named above back into the keys folder (from the backup kept with the "
        "database backup); never delete a key until `connector storage rotate` says no file uses it."
    )


class DiskFull(StorageError):
    """No room left on the disk of the data folder or database: names the folder and the space needed."""

    tell_person = True
    what_to_do = (
        "Free space on the data folder's disk (old reports, traces, other programs' files). Nothing "
        "half-written is kept; the next run continues where this one stopped."
    )


class InputError(ConnectorError):
    """A file handed to the connector cannot be used as it is."""

    tell_person = True
    what_to_do = (
        "Fix or replace the file named above (export it again from the PM system, or ask the sender); "
        "the next run uses the new one. Nothing was written for this run."
    )


class X12ParseError(InputError):
    """Malformed X12: names the byte offset, segment number, segment id and element."""

    def __init__(
        self,
        message: str,
        *,
        offset: int | None = None,
        segment_number: int | None = None,
        segment_id: str | None = None,
        element: str | None = None,
        source: str | None = None,
    ) -> None:
        self.reason = message
        self.offset = offset
        self.segment_number = segment_number
        self.segment_id = segment_id
        self.element = element
        self.source = source
        where = []
        if source:
            where.append(source)
        if offset is not None:
            where.append(f"offset {offset}")
        if segment_number is not None:
            where.append(f"segment {segment_number}")
        if segment_id:
            where.append(f"{segment_id}")
        if element:
            where.append(f"element {element}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class PMExportError(InputError):
    """A practice-management export fails its schema check (names file, sheet, row, column)."""


class ArchiveRefused(InputError):
    """A zip (XLSX workbook, portal bundle) refused before opening: over the size, ratio or member limits."""


class ReportNotWritten(ConnectorError):
    """The child process writing the reconciliation report stopped (killed, out of memory) before saving it:
    no report was written, nothing was stored; the reconciliation can simply run again."""

    what_to_do = "Run the reconciliation again; if it stops again, see the machine's free memory."


class BrowserError(ConnectorError):
    """Chromium cannot be found or started."""


class BrowserDied(BrowserError):
    """Chromium stopped in the middle of a run (killed, out of memory): retried once with a fresh browser."""

    tell_person = True
    what_to_do = (
        "The browser stopped twice in a row, the second time a fresh one. Check the server's memory "
        "(`dmesg` shows the out-of-memory killer) and whether something kills Chromium. Nothing is lost: "
        "the next run continues."
    )


class PortalError(ConnectorError):
    """Something went wrong while talking to a payer portal."""

    def __init__(self, message: str, *, step: str | None = None) -> None:
        self.step = step
        super().__init__(f"{step}: {message}" if step else message)


class PortalUnavailable(PortalError):
    """The portal is down, overloaded (5xx/429) or timed out; retry with backoff."""

    retryable = True
    what_to_do = "The portal kept failing after retries; the connector tries again at the next run."

    def __init__(self, message: str, *, step: str | None = None, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message, step=step)


class PortalMaintenance(PortalUnavailable):
    """The status page announces maintenance; skip the run and reschedule after the window."""

    retryable = False

    def __init__(self, message: str, *, step: str | None = None, until: str | None = None) -> None:
        self.until = until
        super().__init__(message, step=step)


class SessionExpired(PortalError):
    """The portal sent us back to sign-in mid-run; sign in once more."""


class NeedsPerson(PortalError):
    """A failure no retry can fix; stop and alert a person."""

    needs_person = True


class LoginRejected(NeedsPerson):
    """The portal refused the password. Never retried: three strikes lock the account."""

    what_to_do = (
        "The portal refused the password. Check it in the portal, then update "
        "CONNECTOR_ACCOUNTS__{ACCOUNT}__PASSWORD. The connector will not try again until then "
        "(three refusals lock the account)."
    )


class MfaFailed(NeedsPerson):
    """The portal refused the one-time code."""

    what_to_do = (
        "The portal refused the authenticator code. Check the server clock (NTP; `connector status` shows "
        "its offset from the portal) and CONNECTOR_ACCOUNTS__{ACCOUNT}__TOTP_SECRET. Unless the clock was "
        "off, sign-in stays blocked until the TOTP secret setting changes (failed codes count toward the "
        "account lock)."
    )


class SelectorMissing(NeedsPerson):
    """A logical selector has no match on the page (or is not defined in the map)."""

    what_to_do = (
        "The portal page changed and a selector no longer matches. Run "
        "`connector selectors check --account {account}` and update the selector map."
    )

    def __init__(self, portal: str, name: str, detail: str = "") -> None:
        self.portal = portal
        self.name = name
        msg = f"selector {name!r} of portal map {portal!r} {detail or 'matched nothing'}"
        super().__init__(msg)


class UnknownInterstitial(NeedsPerson):
    """A page we do not recognise (terms, survey, notice) stands in the way; never clicked through."""

    what_to_do = (
        "The portal shows a page the connector does not know (terms, survey, notice). "
        "Sign in by hand, read and accept it, then the next run continues. A masked screenshot is in data/."
    )


class DownloadFailed(PortalUnavailable):
    """A download failed or arrived truncated."""


def _subclasses(cls: type[ConnectorError]) -> list[type[ConnectorError]]:
    found = [cls]
    for sub in cls.__subclasses__():
        found += _subclasses(sub)
    return found


def by_name(name: str | None) -> type[ConnectorError] | None:
    """The error class a run ledger row names (``run.error_class``, stored by name), or None for others."""
    for cls in _subclasses(ConnectorError):
        if cls.__name__ == name:
            return cls
    return None
