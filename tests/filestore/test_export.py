"""The export folders: plain files, written atomically with mode 0600, never twice."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from connector.filestore import export_file
from connector.settings import ConnectorSettings, PortalAccount, StorageSettings


def _settings(tmp_path: Path) -> ConnectorSettings:
    account = PortalAccount(
        practice_name="Clinic",
        base_url="http://127.0.0.1:1",
        username="u",
        password=SecretStr("p"),
        totp_secret=SecretStr("JBSWY3DPEHPK3PXP"),
        export_folder=tmp_path / "pm-inbox",
    )
    return ConnectorSettings(
        data_dir=tmp_path / "data",
        storage=StorageSettings(export_folder=tmp_path / "all"),
        accounts={"clinic": account},
    )


def test_export_writes_each_folder_atomically_0600_and_no_duplicate(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    written = export_file(settings, "clinic", "835-a.835", b"ISA*~IEA~")
    assert written == [tmp_path / "all" / "835-a.835", tmp_path / "pm-inbox" / "835-a.835"]
    for path in written:
        assert path.read_bytes() == b"ISA*~IEA~" and (path.stat().st_mode & 0o777) == 0o600
        assert [p.name for p in path.parent.iterdir()] == ["835-a.835"]  # no temp file left behind
    stamp = written[0].stat().st_mtime_ns
    assert export_file(settings, "clinic", "835-a.835", b"ISA*~IEA~") == []
    assert written[0].stat().st_mtime_ns == stamp
    assert export_file(settings, "unknown", "835-b.835", b"x") == [tmp_path / "all" / "835-b.835"]
