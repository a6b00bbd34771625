"""The ERA files read in a child process while this one reads the PM export: the command's second core.

The child reads the files in order, each whole or not at all, turns each into compact rows and sends them back
in batches (pickled through a pipe: the rows of a few hundred files at a time, so neither side holds more
than a batch twice); the parent takes them in the same order. If the child cannot be started or dies, the
files are read here, as :func:`connector.cli.reconcile_cmd.read_eras` always did.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from connector.reconcile.model import FileNotRead
from connector.reconcile.rows import EraRemit

BATCH_FILES = 300
"""Files whose rows go back in one message."""
BESIDE_MIN_BYTES = 4_000_000
"""Below this many bytes of ERA files (a few thousand claims, a second of reading) they are read here: a
child costs an interpreter's start and the pickling."""
BESIDE_MAX_SHARE = 0.25
"""A file holding more than this share of the bytes is read here with the others: a child gains nothing on
one big remittance and would hold its models and their pickle beside this process's copy."""
Batch = list[list[EraRemit] | FileNotRead]


class EraReading:
    """ERA files being read by a child process (when they are many and none dominates; else they are read
    here by :meth:`result`); :meth:`result` waits for their rows."""

    def __init__(
        self, paths: list[Path], *, strict: bool, folder: Path | None, min_bytes: int = BESIDE_MIN_BYTES
    ) -> None:
        self.paths, self.strict, self.folder = paths, strict, folder
        self._process: BaseProcess | None = None
        self._receive: Connection | None = None
        sizes = [_size(path) for path in paths]
        total = sum(sizes)
        if total < min_bytes or max(sizes, default=0) > BESIDE_MAX_SHARE * total:
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

    def result(self) -> tuple[list[EraRemit], list[FileNotRead]]:
        """Every transaction's rows in file order and the files not read (as ``read_eras`` returns them)."""
        remittances: list[EraRemit] = []
        unread: list[FileNotRead] = []
        if self._receive is not None and self._process is not None:
            try:
                while (batch := self._receive.recv()) is not None:
                    for item in batch:
                        if isinstance(item, FileNotRead):
                            unread.append(item)
                        else:
                            remittances.extend(item)
                self._process.join()
                if self._process.exitcode == 0:
                    return remittances, unread
            except (EOFError, OSError):
                self._process.join()
            finally:
                self._receive.close()
        from connector.cli.reconcile_cmd import read_eras  # the child failed: read them here
        from connector.codetables import load_code_lists

        return read_eras(self.paths, strict=self.strict, codes=load_code_lists(self.folder))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _child(paths: list[Path], strict: bool, folder: Path | None, send: Connection) -> None:
    from connector.cli.reconcile_cmd import read_era_file
    from connector.codetables import load_code_lists

    codes = load_code_lists(folder)
    batch: Batch = []
    for path in paths:
        batch.append(read_era_file(path, strict=strict, codes=codes))
        if len(batch) >= BATCH_FILES:
            send.send(batch)
            batch = []
    send.send(batch)
    send.send(None)
    send.close()
