"""ERA files read in a child process come back as the same rows, in file order, as when read here."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

import pytest

from connector.cli.reconcile_cmd import collect, era_files, read_eras
from connector.codetables import load_code_lists
from connector.jobs.era_reading import EraReading


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sandbox 835s, one per payment, and a file that is not an 835 among them."""
    from connector.sandbox import era
    from connector.sandbox.generator import generate

    data = generate(seed=31, payments=40)
    out = tmp_path_factory.mktemp("eras")
    for number, payment in enumerate(data.payments):
        (out / f"era-{number:03}.835").write_bytes(era.era_bytes(data, payment))
    (out / "era-017b.835").write_bytes(b"not an 835 at all")
    return out


def test_rows_read_by_the_child_equal_the_rows_read_here(folder: Path) -> None:
    files = era_files([folder])
    here = read_eras(files, codes=load_code_lists(None))
    reading = EraReading(files, strict=False, folder=None, min_bytes=0)
    assert reading._process is not None  # really in a child
    beside = collect(files, reading.per_file())
    assert beside == here
    assert len(here[0]) >= 40 and [u.file for u in here[1]] == [str(folder / "era-017b.835")]


def test_few_bytes_are_read_here(folder: Path) -> None:
    files = era_files([folder])
    reading = EraReading(files, strict=False, folder=None)
    assert reading._process is None
    assert collect(files, reading.per_file()) == read_eras(files, codes=load_code_lists(None))


def test_a_child_that_cannot_start_leaves_the_reading_here(folder: Path, monkeypatch: Any) -> None:
    context = multiprocessing.get_context("spawn")

    def refuse(self: Any) -> None:
        raise OSError("no more processes")

    monkeypatch.setattr(context.Process, "start", refuse)
    files = era_files([folder])
    reading = EraReading(files, strict=False, folder=None, min_bytes=0)
    assert reading._process is None
    assert collect(files, reading.per_file()) == read_eras(files, codes=load_code_lists(None))


def test_cancel_stops_the_child(folder: Path) -> None:
    reading = EraReading(era_files([folder]), strict=False, folder=None, min_bytes=0)
    process = reading._process
    assert process is not None
    reading.cancel()
    assert not process.is_alive()


def test_a_script_without_a_main_guard_can_start_the_child(folder: Path, tmp_path: Path) -> None:
    """The child does not import the parent's ``__main__`` (spawn would run an unguarded script again)."""
    import subprocess
    import sys

    script = tmp_path / "unguarded.py"
    script.write_text(
        "from pathlib import Path\n"
        "from connector.cli.reconcile_cmd import era_files\n"
        "from connector.jobs.era_reading import EraReading\n"
        f"reading = EraReading(era_files([Path({str(folder)!r})]), strict=False, folder=None, min_bytes=0)\n"
        "assert reading._process is not None\n"
        "import time\n"
        "for _ in range(1200):  # until the child has taken a file (it fails at once if it imports this)\n"
        "    if reading._bounds[0] > 0 or reading._process.exitcode is not None:\n"
        "        break\n"
        "    time.sleep(0.05)\n"
        "print(reading._bounds[0] > 0, len(reading.per_file()))\n"
    )
    root = Path(__file__).resolve().parents[2]
    run = [sys.executable, str(script)]
    done = subprocess.run(run, capture_output=True, text=True, timeout=120, cwd=root, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"True {len(era_files([folder]))}"


def test_a_child_killed_midway_leaves_its_share_to_this_process(folder: Path) -> None:
    """Killed (even while holding the split's lock), the child's files are read here, none twice or lost."""
    files = era_files([folder])
    reading = EraReading(files, strict=False, folder=None, min_bytes=0)
    assert reading._process is not None
    reading._bounds.get_lock().acquire()  # as if the child died holding it
    reading._process.kill()
    reading._process.join()
    assert collect(files, reading.per_file()) == read_eras(files, codes=load_code_lists(None))
