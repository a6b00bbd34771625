"""Schema problems of a PM export: where (file, sheet, row, column) and what; raised all together."""

from __future__ import annotations

from dataclasses import dataclass

from connector.errors import PMExportError
from connector.pm.table import RawTable
from connector.safetext import printable

MAX_PROBLEMS = 100


@dataclass(slots=True, frozen=True)
class Problem:
    """One schema problem: where it is and what is wrong (no PHI)."""

    source: str
    sheet: str | None
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        parts = [self.source]
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return f"{', '.join(parts)}: {self.message}"


class ExportSchemaError(PMExportError):
    """The export failed its schema check; ``problems`` lists every problem found (capped), one per line."""

    line_breaks = True

    def __init__(self, problems: list[Problem], truncated: bool = False) -> None:
        self.problems = problems
        self.truncated = truncated
        lines = [printable(str(p)) for p in problems]
        if truncated:
            lines.append(f"... stopped after {len(problems)} problems")
        count = len(problems)
        head = f"{problems[0].source}: failed the schema check ({count} problem(s)); nothing imported"
        super().__init__("\n".join([head, *lines]))


class ProblemList:
    """Collects problems for one table; knows the file and sheet."""

    def __init__(self, table: RawTable) -> None:
        self.table = table
        self.items: list[Problem] = []
        self.truncated = False

    def add(self, row: int | None, column: str | None, message: str) -> None:
        if len(self.items) >= MAX_PROBLEMS:
            self.truncated = True
            return
        self.items.append(Problem(self.table.source, self.table.sheet, row, column, message))

    @property
    def full(self) -> bool:
        return len(self.items) >= MAX_PROBLEMS

    def raise_if_any(self) -> None:
        if self.items:
            raise ExportSchemaError(self.items, self.truncated)
