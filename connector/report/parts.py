"""A workbook's big sheet parts deflated in threads as each sheet closes, then stored in the zip as they are.

A closed table's XML (openpyxl's sheet head and tail around the rows serialised in its spool) is deflated at
:data:`ZIP_LEVEL` by a small thread pool, while the next sheets are written; zlib lets go of the GIL, so two
sheets compress on two cores. :func:`save_workbook` writes every other part as openpyxl does and puts the
deflated ones in as they are: the save waits only for the slowest sheet. The deflated bytes and the rows'
spools are private temporary files (the report is PHI).
"""

from __future__ import annotations

import datetime as dt
import tempfile
import zlib
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO, Any
from zipfile import ZIP64_LIMIT, ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.worksheet._write_only import WriteOnlyWorksheet  # type: ignore[import-untyped]
from openpyxl.writer.excel import ExcelWriter  # type: ignore[import-untyped]

ZIP_LEVEL = 1
"""Deflate level of the report's parts: the sheets of 100,000 claims compress in a fifth of the time of
openpyxl's default (6) for a somewhat larger file; the cells are the same."""
WORKERS = 2
CHUNK = 1 << 20
_EMPTY_DATA = b"<sheetData></sheetData>"


@dataclass(slots=True)
class Deflated:
    """One part deflated (raw deflate, as a zip member holds it), with its CRC-32 and sizes."""

    data: IO[bytes]
    crc: int
    size: int
    compressed: int


class _Parts:
    """The parts of one workbook being deflated: sheet file (openpyxl's temporary file) -> its future."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="report-deflate")
        self.found: dict[str, Future[Deflated]] = {}


def _parts(book: Workbook) -> _Parts:
    parts: _Parts | None = getattr(book, "_deflated_parts", None)
    if parts is None:
        parts = _Parts()
        book._deflated_parts = parts
    return parts


def close_sheet(sheet: WriteOnlyWorksheet, spool: IO[bytes]) -> None:
    """Close the sheet and deflate its XML, the rows serialised in ``spool`` put into its (empty)
    ``<sheetData>``, in a thread (the spool is closed once read)."""
    sheet.close()
    path = sheet._writer.out
    with open(path, "rb") as handle:
        skeleton = handle.read()
    head, found, tail = skeleton.partition(_EMPTY_DATA)
    if not found:
        spool.close()
        raise RuntimeError(f"sheet {sheet.title!r}: openpyxl wrote no empty sheetData to fill")
    parts = _parts(sheet.parent)
    parts.found[str(path)] = parts.pool.submit(_deflate, head + b"<sheetData>", spool, b"</sheetData>" + tail)


def _deflate(head: bytes, spool: IO[bytes], tail: bytes) -> Deflated:
    packer = zlib.compressobj(ZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    out = tempfile.TemporaryFile()  # noqa: SIM115 (handed over; closed once stored)
    crc = size = 0
    with spool:
        spool.seek(0)
        for data in _chunks(head, spool, tail):
            crc = zlib.crc32(data, crc)
            size += len(data)
            out.write(packer.compress(data))
    out.write(packer.flush())
    compressed = out.tell()
    out.seek(0)
    return Deflated(out, crc, size, compressed)


def _chunks(head: bytes, spool: IO[bytes], tail: bytes) -> Iterator[bytes]:
    yield head
    while data := spool.read(CHUNK):
        yield data
    yield tail


class _Archive(ZipFile):
    """The workbook's zip: a sheet whose part was deflated beforehand is stored as it is."""

    def __init__(self, handle: IO[bytes], parts: dict[str, Future[Deflated]]) -> None:
        super().__init__(handle, "w", ZIP_DEFLATED, allowZip64=True, compresslevel=ZIP_LEVEL)
        self.parts = parts

    def write(
        self, filename: Any, arcname: Any = None, compress_type: Any = None, compresslevel: Any = None
    ) -> None:
        future = self.parts.pop(str(filename), None)
        if future is None:
            super().write(filename, arcname, compress_type, compresslevel)
            return
        part = future.result()
        with part.data:
            info = ZipInfo(arcname, dt.datetime.now().timetuple()[:6])
            info.compress_type = ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            info.file_size = part.size  # before open: it decides on ZIP64
            with self.open(info, "w", force_zip64=part.size > ZIP64_LIMIT) as member:
                _store_deflated(member, part)


_MEMBER_FIELDS = ("_compressor", "_file_size", "_compress_size", "_crc")


def _store_deflated(member: Any, part: Deflated) -> None:
    """Raw deflated bytes into an open zip member: its compressor passes them through, and its CRC and sizes
    are set to the part's before it closes (the zip module's member writer keeps them in these fields)."""
    for name in _MEMBER_FIELDS:
        if not hasattr(member, name):  # a zipfile whose writer differs: refuse rather than corrupt
            raise RuntimeError(f"zipfile's member writer has no {name}: cannot store a deflated part")
    member._compressor = _PassThrough()
    while data := part.data.read(CHUNK):
        member.write(data)
    member._file_size, member._crc, member._compress_size = part.size, part.crc, part.compressed


class _PassThrough:
    def compress(self, data: bytes) -> bytes:
        return data

    def flush(self) -> bytes:
        return b""


def save_workbook(book: Workbook, handle: IO[bytes]) -> None:
    """Save a write-only workbook as ``Workbook.save`` does, its parts deflated at :data:`ZIP_LEVEL`, the
    closed tables' sheets as their threads deflated them."""
    parts = _parts(book)
    try:
        with _Archive(handle, parts.found) as archive:
            book.properties.modified = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            ExcelWriter(book, archive).save()
        if parts.found:
            raise RuntimeError(f"sheet parts deflated but not saved: {sorted(parts.found)}")
    finally:
        for future in parts.found.values():
            future.cancel()
        parts.pool.shutdown(wait=True)
        book._deflated_parts = None
