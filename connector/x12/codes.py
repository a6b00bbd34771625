"""Code tables (CARC, RARC, group codes, CLP02, 277 categories, PLB reasons, POS): the model and its parser.

Reading the files is the caller's (``connector.codetables.load_code_table``): the core reads no file."""

from __future__ import annotations

from dataclasses import dataclass, field

TABLES = (
    "carc",
    "rarc",
    "group_codes",
    "claim_status",
    "status_category",
    "plb_reasons",
    "place_of_service",
)
"""Names of the shipped tables (files mappings/codes/<name>.tsv)."""


@dataclass(frozen=True, slots=True)
class CodeTable:
    """One code list: code -> description, with the public source named in the file's header."""

    name: str
    source: str
    codes: dict[str, str] = field(default_factory=dict)

    def describe(self, code: str) -> str:
        """The description, or ``"unknown <name> code <code>"`` for a code not in the table."""
        return self.codes.get(code.strip(), f"unknown {self.name} code {code}")

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code.strip() in self.codes

    def __len__(self) -> int:
        return len(self.codes)


def parse_code_table(text: str, name: str = "") -> CodeTable:
    """Parse a table: ``#`` header lines (one starting ``# Source:``), a ``code<TAB>description`` title row,
    then one code per line. Blank lines are skipped; a line without a tab is an error (ValueError)."""
    source_lines: list[str] = []
    codes: dict[str, str] = {}
    in_source = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if line.startswith("#"):
            body = line.lstrip("#").strip()
            if body.lower().startswith("source:"):
                in_source = True
                source_lines.append(body.split(":", 1)[1].strip())
            elif in_source and not body.lower().startswith(("transcribed", "subset", "put ", "positive")):
                source_lines.append(body)
            else:
                in_source = False
            continue
        code, tab, description = line.partition("\t")
        if not tab:
            raise ValueError(f"code table {name or '?'} line {number}: expected code<TAB>description")
        if code == "code" and not codes:
            continue
        codes[code.strip()] = description.strip()
    return CodeTable(name, " ".join(source_lines), codes)
