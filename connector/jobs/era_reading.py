"""ERA files read in a child process while this one reads the PM export: the second core of `connector
reconcile` and of the reconcile job (stored in folders).

The child reads the files in order, each whole or not at all, turns each into compact rows and sends them back
in batches (pickled through a pipe: the rows of a few hundred files at a time, so neither side holds more
than a batch twice); the parent takes them in the same order. If the child cannot be started or dies, the
files are read here, one by one, as they always were.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import NamedTuple

from connector.errors import X12ParseError
from connector.reconcile.rows import EraRemit, compact
from connector.x12 import read_835
from connector.x12.code_check import CodeLists

BATCH_FILES = 300
"""Files whose rows go back in one message."""
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
        return [compact(r) for r in read_835(data, source=path.name, strict=strict, codes=codes)]
    except X12ParseError as exc:
        return Unreadable("x12", str(exc))
    except OSError as exc:
        return Unreadable("os", str(exc.strerror or exc))


class EraReading:
    """ERA files being read by a child process (when they are many and none dominates; else they are read
    here by :meth:`per_file`, which waits for their rows)."""

    def __init__(
        self, paths: list[Path], *, strict: bool, folder: Path | None, min_bytes: int | None = None
    ) -> None:
        self.paths, self.strict, self.folder = paths, strict, folder
        self._process: BaseProcess | None = None
        self._receive: Connection | None = None
        sizes = [_size(path) for path in paths]
        total = sum(sizes)
        least = BESIDE_MIN_BYTES if min_bytes is None else min_bytes
        if not paths or total < least or max(sizes) > BESIDE_MAX_SHARE * total:
            return  # read here, by result()
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: no memory shared or copied
        receive, send = context.Pipe(duplex=False)
        try:
            process = context.Process(target=_child, args=(paths, strict, folder, send), daemon=True)
            process.start()
        except OSError:
            receive.close()
        else:
            self._process, self._receive = process, receive
        finally:
            send.close()

    def cancel(self) -> None:
        """Stop the child (nothing will be reconciled)."""
        if self._process is not None and self._receive is not None:
            self._process.terminate()
            self._process.join()
            self._receive.close()
            self._process = self._receive = None

    def per_file(self) -> list[FileRows]:
        """Each file's rows (or why it was not read), in the order of the paths."""
        found: list[FileRows] = []
        if self._receive is not None and self._process is not None:
            try:
                while (batch := self._receive.recv()) is not None:
                    found.extend(batch)
                self._process.join()
                if self._process.exitcode == 0 and len(found) == len(self.paths):
                    return found
            except (EOFError, OSError):
                self._process.join()
            finally:
                self._receive.close()
                self._process = self._receive = None
        from connector.codetables import load_code_lists  # not started, or it failed: read them here

        codes = load_code_lists(self.folder)
        return [read_era_file(path, strict=self.strict, codes=codes) for path in self.paths]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _child(paths: list[Path], strict: bool, folder: Path | None, send: Connection) -> None:
    from connector.codetables import load_code_lists

    codes = load_code_lists(folder)
    batch: list[FileRows] = []
    for path in paths:
        batch.append(read_era_file(path, strict=strict, codes=codes))
        if len(batch) >= BATCH_FILES:
            send.send(batch)
            batch = []
    send.send(batch)
    send.send(None)
    send.close()
