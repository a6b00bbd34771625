"""ERA files read in a child process while this one reads the PM export: the second core of `connector
reconcile` and of the reconcile job (stored in folders).

The child reads the files from the first on, each whole or not at all, turns each into compact rows and writes
them in pickled batches (a few hundred files at a time) to a private temporary file, so it never waits for
the parent; once the PM export is read the parent reads from the last file back until the two meet, then
loads the child's rows and puts them in file order. If the child cannot be started or fails, its share is
read here, one file at a time, as they always were.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import sys
import tempfile
import weakref
from collections.abc import Iterator
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, NamedTuple

from connector.errors import X12ParseError
from connector.reconcile.rows import EraRemit, compact
from connector.x12 import read_835
from connector.x12.code_check import CodeLists

BATCH_FILES = 300
"""Files whose rows are pickled together."""
BESIDE_MIN_BYTES = 4_000_000
"""Below this many bytes of ERA files (a few thousand claims, a second of reading) they are read here: a
child costs an interpreter's start and the pickling."""
BESIDE_MAX_SHARE = 0.25
"""A file holding more than this share of the bytes is read here with the others: a child gains nothing on
one big remittance and would hold its models and their pickle beside this process's copy."""


class Unreadable(NamedTuple):
    """Why a file could not be read: ``x12`` (the X12ParseError text) or ``os`` (the OS error)."""

    kind: str
    message: str


FileRows = list[EraRemit] | Unreadable
"""One file's transactions as compact rows, or why it could not be read."""


def read_era_file(path: Path, *, strict: bool = False, codes: CodeLists | None = None) -> FileRows:
    """One ERA file read whole (or not at all) into compact rows; its models are released."""
    try:
        data = path.read_bytes()
        remittances = read_835(data, source=path.name, strict=strict, codes=codes)
        return [compact(r, release=True) for r in remittances]  # each model released as its rows are made
    except X12ParseError as exc:
        return Unreadable("x12", str(exc))
    except OSError as exc:
        return Unreadable("os", str(exc.strerror or exc))


class EraReading:
    """ERA files read by a child process from the first on, while this process reads the PM export; then this
    process reads from the last file back until the two meet (:meth:`per_file`). When the files are few or
    one dominates, or the child cannot start, they are all read here."""

    def __init__(
        self, paths: list[Path], *, strict: bool, folder: Path | None, min_bytes: int | None = None
    ) -> None:
        self.paths, self.strict, self.folder = paths, strict, folder
        self._process: BaseProcess | None = None
        self._spool: Path | None = None
        self._bounds: Any = None
        self._lockless = False
        sizes = [_size(path) for path in paths]
        total = sum(sizes)
        least = BESIDE_MIN_BYTES if min_bytes is None else min_bytes
        if not paths or total < least or max(sizes) > BESIDE_MAX_SHARE * total:
            return
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: no memory shared or copied
        self._bounds = context.Array("q", [0, len(paths)])
        """[next file the child takes, first file this process took]: the child takes from the front, this
        process from the back, each under the array's lock, until they meet."""
        handle, name = tempfile.mkstemp(prefix="era-rows-", suffix=".pickle")  # mode 0600: the rows are PHI
        os.close(handle)
        self._spool = Path(name)
        weakref.finalize(self, self._spool.unlink, missing_ok=True)  # never left behind, whatever happens
        try:
            process = context.Process(target=_child, args=(paths, strict, folder, self._spool, self._bounds),
                                      daemon=True)  # fmt: skip
            with main_not_imported():
                process.start()
        except OSError:
            self._spool.unlink(missing_ok=True)
            self._spool = None
        else:
            self._process = process

    @property
    def beside(self) -> bool:
        """A child process is reading (else :meth:`per_file` reads every file here)."""
        return self._process is not None

    def cancel(self) -> None:
        """Stop the child (nothing will be reconciled)."""
        if self._process is not None:
            self._process.terminate()
            self._process.join()
            self._process = None
        if self._spool is not None:
            self._spool.unlink(missing_ok=True)
            self._spool = None

    def per_file(self) -> list[FileRows]:
        """Each file's rows (or why it was not read), in the order of the paths."""
        from connector.codetables import load_code_lists

        codes = load_code_lists(self.folder)
        if self._process is None:
            return [read_era_file(path, strict=self.strict, codes=codes) for path in self.paths]
        own: list[FileRows] = []  # from the last file back
        while (index := self._take_last()) is not None:
            own.append(read_era_file(self.paths[index], strict=self.strict, codes=codes))
        meet = int(self._bounds[1])
        found: list[FileRows] | None = None
        if self._process is not None and self._spool is not None:
            self._process.join()
            if self._process.exitcode == 0:
                found = _load(self._spool)
            self._process = None
        if self._spool is not None:
            self._spool.unlink(missing_ok=True)
            self._spool = None
        if found is None or len(found) != meet:  # the child failed: its share is read here
            found = [read_era_file(path, strict=self.strict, codes=codes) for path in self.paths[:meet]]
        own.reverse()
        return found + own

    def _take_last(self) -> int | None:
        if self._lockless:
            return self._last_of(self._bounds)
        lock = self._bounds.get_lock()
        while not lock.acquire(timeout=1.0):  # a child killed while holding the lock must not hang us
            if self._process is None or not self._process.is_alive():
                self._lockless = True
                return self._last_of(self._bounds)
        try:
            return self._last_of(self._bounds)
        finally:
            lock.release()

    @staticmethod
    def _last_of(bounds: Any) -> int | None:
        index = int(bounds[1]) - 1
        if index < bounds[0]:
            return None
        bounds[1] = index
        return index


@contextlib.contextmanager
def main_not_imported() -> Iterator[None]:
    """Start the child without it importing this process's ``__main__`` (multiprocessing's spawn would run a
    script's top level again unless it is guarded): the child needs this module only."""
    main = sys.modules["__main__"]
    saved: dict[str, Any] = {k: main.__dict__[k] for k in ("__file__", "__spec__") if k in main.__dict__}
    main.__dict__.pop("__file__", None)
    main.__spec__ = None
    try:
        yield
    finally:
        main.__dict__.update(saved)


def _load(spool: Path) -> list[FileRows]:
    found: list[FileRows] = []
    with spool.open("rb") as handle:
        while True:
            try:
                found.extend(pickle.load(handle))
            except EOFError:
                return found


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _child(paths: list[Path], strict: bool, folder: Path | None, spool: Path, bounds: Any) -> None:
    """Read from the first file on, taking each under the lock, until this meets the parent's share; the rows
    go to the spool file in pickled batches."""
    import gc

    from connector.codetables import load_code_lists

    gc.disable()  # each file's models are freed by their counts (no cycles); the collector cost a sixth
    codes = load_code_lists(folder)
    batch: list[FileRows] = []
    with spool.open("wb") as out:
        while True:
            with bounds.get_lock():
                index = bounds[0]
                if index >= bounds[1]:
                    break
                bounds[0] = index + 1
            batch.append(read_era_file(paths[index], strict=strict, codes=codes))
            if len(batch) >= BATCH_FILES:
                pickle.dump(batch, out, protocol=pickle.HIGHEST_PROTOCOL)
                batch = []
        pickle.dump(batch, out, protocol=pickle.HIGHEST_PROTOCOL)
