"""Connector settings: environment (CONNECTOR_*), .env, a secrets folder and an optional connector.toml."""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    EnvSettingsSource,
    NestedSecretsSettingsSource,
    PydanticBaseSettingsSource,
    SecretsSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from connector.errors import ConfigError
from connector.jobs.registry import DEFAULT_SCHEDULE, SCHEDULABLE

ENV_PREFIX = "CONNECTOR_"
NESTED = "__"


class BrowserSettings(BaseModel):
    """How Chromium is found and run."""

    executable: Path | None = Field(
        None, description="Chromium binary; else Playwright's, else /usr/bin/chromium"
    )
    headless: bool = True
    navigation_timeout_s: float = 30.0
    storage_state_max_age_hours: float = Field(
        12.0, description="Saved sign-in state older than this is discarded"
    )
    trace: Literal["full", "snapshots", "off"] = Field(
        "snapshots",
        description="What a run's browser trace records (kept only when the run fails): 'snapshots' = every "
        "step's page (DOM) and network, 'full' = also a filmstrip of screenshots (more CPU), 'off' = none",
    )


class WebSettings(BaseModel):
    """The dashboard (`connector web`): where it listens, its session and sign-in rules."""

    host: str = Field("127.0.0.1", description="Loopback by default; put a TLS reverse proxy in front")
    port: int = 8080
    behind_tls: bool = Field(False, description="Served over HTTPS (a proxy): Secure cookies and HSTS")
    session_secret: SecretStr | None = Field(
        None, description="Signs session cookies; default: a random key kept in data/state/web-session.key"
    )
    idle_minutes: float = Field(30.0, description="Signed out after this long without a request")
    session_hours: float = Field(12.0, description="Signed out this long after signing in, busy or not")
    free_attempts: int = Field(5, description="Wrong passwords in a row before sign-in slows down")
    max_block_seconds: int = Field(900, description="Longest wait imposed after wrong passwords")


class FleetSettings(BaseModel):
    """The fleet queue (``executor = "queue"``): procrastinate on the PostgreSQL database."""

    queue: str = Field("portal", description="Queue the dispatcher puts jobs on (workers listen to it)")
    stall_seconds: float = Field(
        60.0, gt=0, description="A worker without a heartbeat this long is gone; its jobs run again elsewhere"
    )
    heartbeat_seconds: float = Field(10.0, gt=0, description="How often a worker says it is alive")
    stall_check_seconds: float = Field(15.0, gt=0, description="How often a worker looks for stalled jobs")
    poll_seconds: float = Field(
        5.0, gt=0, description="Fallback polling for new jobs (PostgreSQL LISTEN/NOTIFY wakes workers first)"
    )
    retries: int = Field(2, ge=0, description="Queue-level retries of a job whose task raised (not stalls)")
    graceful_stop_seconds: float | None = Field(
        None, description="On SIGTERM, wait at most this long for running jobs (None: until they finish)"
    )


class PracticeAddress(BaseModel):
    """The practice's (billing provider's) street address, for PM profiles that read it from settings."""

    line1: str = ""
    city: str = ""
    state: str = ""
    zip: str = Field("", description="ZIP+4 (9 digits) as 5010 claims want it")


class ArchiveLimits(BaseSettings):
    """Limits checked before any zip (XLSX workbook, portal bundle) is opened (decompression bombs).

    Also read on their own (``CONNECTOR_ARCHIVE_LIMITS__MAX_TOTAL_MB`` ...) by the file-only commands.
    """

    model_config = SettingsConfigDict(env_prefix="CONNECTOR_ARCHIVE_LIMITS__", extra="ignore")

    max_total_mb: float = Field(200.0, gt=0, description="Uncompressed size of all members together")
    max_member_mb: float = Field(200.0, gt=0, description="Uncompressed size of any one member")
    max_ratio: float = Field(100.0, gt=1, description="Uncompressed/compressed ratio of a member over 1 MB")
    max_members: int = Field(10_000, gt=0, description="Number of members (files) in the archive")


class StorageSettings(BaseModel):
    """Where downloaded files, reports, kept traces and the saved sign-in live (see docs/fleet.md)."""

    backend: Literal["auto", "folder", "database"] = Field(
        "auto",
        description="folder: under data_dir (one machine); database: encrypted blobs in the database; "
        "auto: database when executor is queue (fleet mode), else folder",
    )
    keys_dir: Path | None = Field(
        None,
        description="Folder of AES-256 keys (<key id>.key) for stored files; default: "
        "<CONNECTOR_SECRETS_DIR>/storage-keys",
    )
    current_key: str | None = Field(
        None, description="Key id that encrypts new files; default: the newest key in keys_dir"
    )
    export_folder: Path | None = Field(
        None,
        description="Every new ERA, PDF, acknowledgement and report is also written here as a plain file",
    )


class RetryPolicy(BaseModel):
    """How often and how long a job that failed for a passing reason (portal down, 5xx, 429) is retried."""

    model_config = {"frozen": True}

    attempts: int = Field(4, ge=1, description="Attempts in all, the first included")
    base_seconds: float = Field(2.0, ge=0, description="First backoff; doubles each attempt")
    max_seconds: float = Field(120.0, ge=0, description="Longest backoff")
    jitter_seconds: float = Field(
        1.0, ge=0, description="Random extra wait, so accounts do not retry in step"
    )
    max_retry_after: float = Field(300.0, ge=0, description="Longest wait a portal's Retry-After may ask for")


class PortalAccount(BaseModel):
    """One practice's sign-in to one payer portal."""

    practice_name: str
    portal: str = Field("sandbox-v1", description="Selector map name under selectors/ (e.g. optum-pay)")
    base_url: str
    status_url: str | None = Field(None, description="Status page JSON URL; default <base_url>/status.json")
    username: str
    password: SecretStr
    totp_secret: SecretStr
    tins: list[str] = Field(
        default_factory=list,
        description="TINs to work; chosen from the portal's TIN dropdown where it has one",
    )
    security_answers: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="Security question (its text, or a keyword such as 'color') -> answer, for portals that "
        "ask one on an unrecognised device (Optum ID)",
    )
    remember_device: bool = Field(True, description="Tick 'remember my device' after the second sign-in step")
    npis: list[str] = Field(default_factory=list)
    schedule: dict[str, str] = Field(default_factory=dict, description="job -> cron expression overrides")
    pm_export: Path | None = Field(None, description="The PM export the reconcile job reads (CSV or XLSX)")
    pm_profile: str = Field("generic", description="PM export profile (mappings/pm/NAME.yaml)")
    bank_csv: Path | None = Field(None, description="Bank deposit CSV for deposit matching (optional)")
    address: PracticeAddress = Field(
        default_factory=PracticeAddress, description="Practice address (PM profiles' from_settings)"
    )
    pm_schedule: Path | None = Field(None, description="The PM schedule export the eligibility job reads")
    schedule_profile: str = Field("generic", description="Schedule profile (mappings/pm/schedule/NAME.yaml)")
    export_folder: Path | None = Field(
        None, description="This account's new ERAs, PDFs, acknowledgements and reports as plain files"
    )

    @field_validator("totp_secret")
    @classmethod
    def _base32(cls, value: SecretStr) -> SecretStr:
        """The authenticator secret must be base32 (spaces and lower case, as apps show it, are accepted)."""
        text = "".join(value.get_secret_value().split()).upper().rstrip("=")
        if not text:
            raise ValueError("the authenticator secret is empty")
        try:
            base64.b32decode(text + "=" * (-len(text) % 8))
        except (binascii.Error, ValueError):
            raise ValueError(
                "the authenticator secret is not base32 (letters A-Z and digits 2-7, the text behind the QR "
                "code the portal showed when two-step sign-in was set up)"
            ) from None
        return SecretStr(text)

    @field_validator("schedule")
    @classmethod
    def _known_jobs(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(SCHEDULABLE))
        if unknown:
            raise ValueError(f"unknown job(s) {unknown}; known jobs: {', '.join(SCHEDULABLE)}")
        return value

    def practice_values(self) -> dict[str, str]:
        """What a PM profile's ``from_settings`` may read: practice name, first NPI and TIN, address."""
        return {
            "practice_name": self.practice_name,
            "practice_npi": self.npis[0] if self.npis else "",
            "practice_tin": self.tins[0] if self.tins else "",
            "practice_address": self.address.line1,
            "practice_city": self.address.city,
            "practice_state": self.address.state,
            "practice_zip": self.address.zip,
        }

    @property
    def status_json_url(self) -> str:
        """The status page JSON URL (explicit, or derived from the portal's base URL)."""
        return self.status_url or self.base_url.rstrip("/") + "/status.json"


class ConnectorSettings(BaseSettings):
    """Everything the connector reads from its environment."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=NESTED,
        env_file=".env",
        env_file_encoding="utf-8",
        secrets_nested_delimiter=NESTED,
        toml_file="connector.toml",
        extra="ignore",
    )

    database_url: str = "sqlite:///data/connector.db"
    data_dir: Path = Path("data")
    mappings_dir: Path | None = Field(None, description="Override folder for mappings/ tables")
    timezone: str = "UTC"
    log_format: str = "text"
    executor: Literal["local", "queue"] = Field(
        "local",
        description="local: `connector schedule` runs the jobs itself; queue: it defers them to a fleet of "
        "`connector worker` processes (PostgreSQL only)",
    )
    max_sessions: int = Field(
        2, ge=1, description="Local executor: browser sessions at once in one process (one per account)"
    )
    fleet: FleetSettings = Field(default_factory=FleetSettings)
    browser: BrowserSettings = Field(default_factory=BrowserSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    archive_limits: ArchiveLimits = Field(default_factory=ArchiveLimits)
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    accounts: dict[str, PortalAccount] = Field(default_factory=dict)
    notify_urls: list[SecretStr] = Field(default_factory=list, description="apprise URLs (they carry tokens)")
    portal_down_alert_minutes: int = Field(120, description="Alert when the portal is down this long")
    missing_era_days: int = Field(30, description="Days without an ERA before a claim counts as missing")
    trace_retention_days: float = Field(
        14.0, gt=0, description="Failure traces and screenshots (portal pages: PHI) are deleted after this"
    )
    summary_attach_report: bool = Field(
        True, description="Attach the reconciliation report (it holds PHI) to the daily summary message"
    )
    eligibility_days: int = Field(
        2, ge=1, le=10, description="Business days ahead the eligibility job checks"
    )
    eligibility_pace_seconds: float = Field(
        2.0, ge=0, description="Least seconds between two eligibility searches (the portal's limits)"
    )
    x12_strict: bool = Field(
        False,
        description="Refuse (quarantine) ERAs and acknowledgements with envelope or layout faults instead of "
        "reading them with findings",
    )
    default_schedule: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_SCHEDULE),
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Precedence: init > environment > .env > secrets folder > connector.toml > defaults."""
        return (
            init_settings,
            env_settings,
            dotenv_settings,
            NestedSecretsSettingsSource(file_secret_settings),
            TomlConfigSettingsSource(settings_cls),
        )

    def account(self, name: str | None) -> tuple[str, PortalAccount]:
        """Return the named account, or the only one when ``name`` is None."""
        if name is None:
            if len(self.accounts) != 1:
                names = ", ".join(sorted(self.accounts)) or "none configured"
                raise ConfigError(f"choose an account with --account (configured: {names})")
            return next(iter(self.accounts.items()))
        if name not in self.accounts:
            raise ConfigError(
                f"no account named {name!r}; set {ENV_PREFIX}ACCOUNTS{NESTED}{name.upper()}{NESTED}..."
            )
        return name, self.accounts[name]

    def secret_values(self) -> list[str]:
        """Every configured secret value, for the log redaction filter (the database password too)."""
        values = [s.get_secret_value() for s in self.notify_urls]
        if self.web.session_secret is not None:
            values.append(self.web.session_secret.get_secret_value())
        values.append(database_password(self.database_url) or "")
        for acct in self.accounts.values():
            values += [acct.password.get_secret_value(), acct.totp_secret.get_secret_value()]
        return [v for v in values if v]


def database_password(url: str) -> str | None:
    """The password inside a database URL, if any."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).password
    except ArgumentError:
        return None


def masked_database_url(url: str) -> str:
    """The database URL with its password replaced by ***."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparseable URL)"


def env_name(loc: tuple[str | int, ...]) -> str:
    """The environment variable that sets the field at ``loc`` (e.g. CONNECTOR_ACCOUNTS__MAIN__PASSWORD)."""
    return ENV_PREFIX + NESTED.join(str(part).upper() for part in loc)


def _source_kwargs(env_file: Path | None, secrets_dir: Path | None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if env_file is not None:
        kwargs["_env_file"] = env_file
    secrets = secrets_dir or (
        Path(os.environ["CONNECTOR_SECRETS_DIR"]) if "CONNECTOR_SECRETS_DIR" in os.environ else None
    )
    if secrets is not None and secrets.is_dir():
        kwargs["_secrets_dir"] = secrets
    return kwargs


def load_settings(
    *, toml_file: Path | None = None, env_file: Path | None = None, secrets_dir: Path | None = None
) -> ConnectorSettings:
    """Load settings; a missing or invalid value becomes a ConfigError naming the variable to set."""
    settings_cls = _with_toml(_toml_path(toml_file))
    try:
        return settings_cls(**_source_kwargs(env_file, secrets_dir))
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            what = "is required but not set" if err["type"] == "missing" else f"is invalid: {err['msg']}"
            problems.append(f"{env_name(tuple(err['loc']))} {what}")
        raise ConfigError("configuration problem: " + "; ".join(problems)) from None


def _toml_path(given: Path | None) -> Path:
    """connector.toml: the given path, else CONNECTOR_CONFIG, else ./connector.toml."""
    return given or Path(os.environ.get("CONNECTOR_CONFIG", "connector.toml"))


def _with_toml(toml_path: Path) -> type[ConnectorSettings]:
    """A settings class bound to a particular connector.toml path."""
    config = dict(ConnectorSettings.model_config)
    config["toml_file"] = toml_path
    return type("ConnectorSettings", (ConnectorSettings,), {"model_config": config})


def value_sources(
    *, toml_file: Path | None = None, env_file: Path | None = None, secrets_dir: Path | None = None
) -> dict[str, str]:
    """Map each dotted setting path to the source that supplied it (environment, .env, secrets, toml)."""
    toml_path = _toml_path(toml_file)
    cls = _with_toml(toml_path)
    kw = _source_kwargs(env_file, secrets_dir)
    sources: list[tuple[str, PydanticBaseSettingsSource]] = [
        ("environment", EnvSettingsSource(cls)),
        (f"{kw.get('_env_file', '.env')}", DotEnvSettingsSource(cls, env_file=kw.get("_env_file", ".env"))),
    ]
    if "_secrets_dir" in kw:
        folder = kw["_secrets_dir"]
        nested = NestedSecretsSettingsSource(
            SecretsSettingsSource(cls, secrets_dir=folder), secrets_dir=folder
        )
        sources.append((f"secrets:{folder}", nested))
    sources.append((str(toml_path), TomlConfigSettingsSource(cls, toml_file=toml_path)))
    origin: dict[str, str] = {}
    for label, source in sources:
        for path in _flatten(source()):
            origin.setdefault(path, label)
    return origin


def _flatten(data: Any, prefix: str = "") -> list[str]:
    if isinstance(data, dict):
        out: list[str] = []
        for key, value in data.items():
            out += _flatten(value, f"{prefix}.{key}" if prefix else str(key))
        return out
    return [prefix] if prefix else []
