"""The job registry is the one list of job names: settings, CLI, scheduler and cycle read it."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from connector.errors import ConfigError
from connector.jobs.registry import CYCLE, CYCLE_JOB, JOB_NAMES, JOBS, SCHEDULABLE, jobs_of, spec

ROOT = Path(__file__).resolve().parents[2]


def _job_names_in(path: Path) -> set[str]:
    """The job names a module spells out as string constants (a list of jobs needs three or more)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    return strings & set(SCHEDULABLE)


def test_job_names_are_listed_in_the_registry_only() -> None:
    hits = {}
    for path in sorted([*(ROOT / "connector").rglob("*.py"), *(ROOT / "flows").rglob("*.py")]):
        names = _job_names_in(path)
        if len(names) >= 3:
            hits[path.relative_to(ROOT).as_posix()] = sorted(names)
    assert list(hits) == ["connector/jobs/registry.py"], hits


def test_every_registered_job_has_a_module_with_run() -> None:
    for job in JOBS:
        module = importlib.import_module(job.module)
        assert callable(module.run), job.name
        assert module.__doc__ and job.title
    assert CYCLE == JOB_NAMES and SCHEDULABLE[-1] == CYCLE_JOB


def test_names_resolve_and_unknown_ones_are_config_errors() -> None:
    assert jobs_of("all") == CYCLE and jobs_of("eras") == ("eras",)
    assert spec("reconcile").needs == "store" and spec("health").needs == "status"
    with pytest.raises(ConfigError, match="unknown job 'era'"):
        spec("era")


def test_settings_refuse_a_schedule_for_an_unknown_job() -> None:
    from pydantic import ValidationError

    from connector.settings import PortalAccount

    with pytest.raises(ValidationError, match="unknown job"):
        PortalAccount(
            practice_name="x",
            base_url="http://x",
            username="u",
            password="p",  # type: ignore[arg-type]
            totp_secret="JBSWY3DPEHPK3PXP",  # type: ignore[arg-type]
            schedule={"erasx": "0 6 * * *"},
        )
