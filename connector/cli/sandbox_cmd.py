"""``connector sandbox``: serve the bundled sandbox payer portal on loopback with seeded practice data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

app = typer.Typer(help="Serve the sandbox payer portal (demo, tests, training, selector maintenance).")


def _faults(values: list[str]) -> dict[str, str]:
    faults: dict[str, str] = {}
    for item in values:
        name, _, value = item.partition("=")
        faults[name.strip().replace("-", "_")] = value if "=" in item else "true"
    return faults


@app.callback(invoke_without_command=True)
def sandbox(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (loopback by default)."),
    port: int = typer.Option(0, "--port", help="Port (0 picks a free one)."),
    seed: int = typer.Option(20261127, "--seed", help="Seed of the generated practice data."),
    payments: int = typer.Option(40, "--payments", help="Number of payments to generate."),
    as_of: str = typer.Option("2026-11-27", "--as-of", help="Last payment date of the data (YYYY-MM-DD)."),
    variant: str = typer.Option("v1", "--variant", help="UI variant: v1, v2 or optum (Optum Pay's layout)."),
    fault: list[str] = typer.Option([], "--fault", help="Fault NAME[=VALUE]; repeatable."),
    data_dir: Path = typer.Option(Path("data/sandbox"), "--data-dir", help="Folder for the practice files."),
    admin: bool = typer.Option(True, "--admin/--no-admin", help="Enable the loopback admin API (/__admin)."),
    practices: int = typer.Option(
        0, "--practices", help="Serve K practices (own user, data and port each; seeds SEED..SEED+K-1)."
    ),
) -> None:
    """Generate the practice data, write the PM export, bank CSV and ground truth, and serve the portal."""
    from connector.sandbox.server import SandboxServer

    if practices:
        _serve_fleet(data_dir, practices, seed, payments, dt.date.fromisoformat(as_of), host, variant,
                     _faults(fault), admin)  # fmt: skip
        return

    try:
        server = SandboxServer(
            data_dir, seed=seed, payments=payments, as_of=dt.date.fromisoformat(as_of), host=host, port=port,
            variant=variant, faults=_faults(fault), admin_enabled=admin,
        )  # fmt: skip
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    lines = [
        f"Sandbox payer portal: {server.base_url}/signin",
        f"  username:     {server.username}",
        f"  password:     {server.password}",
        f"  TOTP secret:  {server.totp_secret}  (sandbox only; add it to an authenticator app)",
        f"  PM export:    {server.pm_export_csv}  and  {server.pm_export_xlsx}",
        f"  bank CSV:     {server.bank_csv}",
        f"  ground truth: {server.ground_truth}",
        f"  status:       {server.base_url}/status.json",
    ]
    if admin:
        lines.append(f"  admin API:    {server.base_url}/__admin/state (loopback only)")
    typer.echo("\n".join(lines))
    server.serve_forever()


def _serve_fleet(
    data_dir: Path,
    practices: int,
    seed: int,
    payments: int,
    as_of: dt.date,
    host: str,
    variant: str,
    faults: dict[str, str],
    admin: bool,
) -> None:
    """Serve K practices until Ctrl-C; print each one's address, user and files (secrets: sandbox only)."""
    import threading

    from connector.sandbox.fleet import SandboxFleet

    try:
        fleet = SandboxFleet(
            data_dir, practices, seed=seed, payments=payments, as_of=as_of, host=host, variant=variant,
            faults=faults, admin_enabled=admin,
        )  # fmt: skip
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    fleet.start()
    for name, server in fleet:
        typer.echo(
            f"{name}: {server.base_url}/signin  user {server.username}  password {server.password}  "
            f"TOTP {server.totp_secret}  PM export {server.pm_export_csv}  ground truth {server.ground_truth}"
        )
    if admin:
        first = next(iter(fleet))[1]
        typer.echo(f"admin API: {first.base_url}/__admin/practices (every practice's peak of sessions)")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        fleet.stop()
