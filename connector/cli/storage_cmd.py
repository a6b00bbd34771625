"""`connector storage`: storage keys (keygen, rotate), the fleet start-up check, what the file store holds."""

from __future__ import annotations

import typer

from connector.cli.output import say
from connector.errors import ConnectorError

app = typer.Typer(help="The file store: storage keys, rotation, checks.", no_args_is_help=True)


def _fail(exc: ConnectorError) -> None:
    say(f"error: {exc}", err=True)
    raise typer.Exit(2) from None


@app.command("keygen")
def keygen() -> None:
    """Write a new AES-256 storage key (0600) into the keys folder; it encrypts new files from now on."""
    from connector.errors import ConfigError
    from connector.filestore import keys_folder, new_key
    from connector.settings import load_settings

    try:
        folder = keys_folder(load_settings())
        if folder is None:
            raise ConfigError(
                "set CONNECTOR_STORAGE__KEYS_DIR or CONNECTOR_SECRETS_DIR to say where keys live"
            )
    except ConnectorError as exc:
        _fail(exc)
        return
    key_id = new_key(folder)
    say(f"new storage key {key_id} in {folder}; back it up with the database backups")
    say("run `connector storage rotate` to re-encrypt stored files with it")


@app.command("rotate")
def rotate_cmd() -> None:
    """Re-encrypt every stored file with the current (newest) key; says which old keys are unused."""
    from connector import store
    from connector.filestore import keyring, keys_in_use, rotate
    from connector.settings import load_settings

    try:
        settings = load_settings()
        ring = keyring(settings)
        engine = store.make_engine(settings.database_url)
    except ConnectorError as exc:
        _fail(exc)
        return
    try:
        factory = store.session_factory(engine)
        done = rotate(factory, ring)
        used = keys_in_use(factory)
    except ConnectorError as exc:
        _fail(exc)
        return
    finally:
        engine.dispose()
    say(f"re-encrypted {done} stored file(s) with key {ring.current}")
    unused = [key_id for key_id in ring.ids if key_id not in used]
    if unused:
        say(f"no stored file uses key(s) {', '.join(unused)} any more (remove them after the next backup)")


@app.command("check")
def check_cmd() -> None:
    """The start-up check of fleet mode (PostgreSQL, the database store, a storage key)."""
    from connector.filestore import backend_of, check_fleet_settings
    from connector.settings import load_settings

    try:
        settings = load_settings()
        check_fleet_settings(settings)
    except ConnectorError as exc:
        _fail(exc)
        return
    say(f"file store: {backend_of(settings)}; executor: {settings.executor}; settings are usable")
