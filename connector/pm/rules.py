"""Row conditions (``where``, ``line_present_when``, ``diagnosis_rows.when``) and cell transforms.

Both are plain data parsed from YAML and applied to a cell's text; every key is checked and an unknown one is
refused with the closest known key (``did you mean``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from connector.errors import ConfigError

NAMED_DATE_FORMATS: dict[str, tuple[str, ...]] = {
    "iso": ("%Y-%m-%d",),
    "us": ("%m/%d/%Y",),
    "us_short": ("%m/%d/%y",),
    "eu": ("%d.%m.%Y",),
    "eu_slash": ("%d/%m/%Y",),
    "compact": ("%Y%m%d",),
    "iso_datetime": ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%MZ", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"),
    "sql_datetime": ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"),
    "us_datetime": ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M %p"),
}
"""Date formats a profile may name instead of writing strptime codes (``date_formats: [us, iso]``)."""

NAME_PARTS = ("last", "first", "middle")
_OPS = ("in", "not_in", "matches", "not_matches", "filled")
Op = Literal["in", "not_in", "matches", "not_matches", "filled"]


def check_keys(data: dict[Any, Any], allowed: Iterable[str], where: str) -> None:
    """Refuse keys not in ``allowed``, naming the key and the closest allowed one."""
    known = list(allowed)
    for key in data:
        if isinstance(key, bool):
            raise ConfigError(f"{where}: unknown key {key!r} (YAML reads a bare on/off/yes/no as true/false)")
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (known keys: {', '.join(known)})"
            raise ConfigError(f"{where}: unknown key {key!r}{hint}")


def date_formats(value: Any, where: str) -> tuple[str, ...]:
    """Named formats (``us``) expand to strptime patterns; anything with ``%`` is a pattern as written."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise ConfigError(f"{where}: expected a list of date formats")
    out: list[str] = []
    for item in items:
        text = str(item)
        if text in NAMED_DATE_FORMATS:
            out += NAMED_DATE_FORMATS[text]
        elif "%" in text:
            out.append(text)
        else:
            close = difflib.get_close_matches(text, list(NAMED_DATE_FORMATS), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            known = ", ".join(NAMED_DATE_FORMATS)
            raise ConfigError(f"{where}: {text!r} is not a date format{hint}; use one of {known} or %-codes")
    return tuple(out)


def is_zero_or_blank(text: str) -> bool:
    """True for an empty cell or a zero amount (``0``, ``0.00``): an unused slot of a claim-per-row layout."""
    if not text:
        return True
    try:
        return Decimal(text.replace(",", "").replace("$", "")) == 0
    except InvalidOperation:
        return False


@dataclass(slots=True, frozen=True)
class Condition:
    """One test on a cell's text: ``column`` (or ``field`` for a line slot) ``op`` values."""

    target: str
    """Header name of the column, or the line field whose slot is tested (``line_present_when``)."""
    op: Op
    values: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = None
    wanted: bool = True
    """For ``filled``: true keeps cells with a value that is not blank and not a zero amount."""

    def test(self, text: str) -> bool:
        """Whether the cell text passes."""
        if self.op == "in":
            return text.casefold() in self.values
        if self.op == "not_in":
            return text.casefold() not in self.values
        if self.op == "filled":
            return (not is_zero_or_blank(text)) == self.wanted
        found = self.pattern is not None and self.pattern.search(text) is not None
        return found if self.op == "matches" else not found

    def describe(self) -> str:
        """The condition as a person reads it."""
        if self.op == "filled":
            return f"{self.target} {'filled' if self.wanted else 'blank or zero'}"
        if self.op in ("in", "not_in"):
            return f"{self.target} {self.op.replace('_', ' ')} [{', '.join(self.values)}]"
        return f"{self.target} {self.op.replace('_', ' ')} /{self.pattern.pattern if self.pattern else ''}/"


def parse_conditions(value: Any, where: str, target_key: str = "column") -> tuple[Condition, ...]:
    """A condition or a list of them (all must hold)."""
    items = [value] if isinstance(value, dict) else value
    if not isinstance(items, list) or not items:
        raise ConfigError(f"{where}: expected a condition such as {{{target_key}: NAME, in: [A, B]}}")
    return tuple(_condition(item, f"{where}[{i}]", target_key) for i, item in enumerate(items))


def _condition(item: Any, where: str, target_key: str) -> Condition:
    if not isinstance(item, dict):
        raise ConfigError(f"{where}: a condition is a mapping such as {{{target_key}: NAME, in: [A, B]}}")
    check_keys(item, (target_key, *_OPS), where)
    target = item.get(target_key)
    ops = [k for k in _OPS if k in item]
    if not isinstance(target, str) or not target:
        raise ConfigError(f"{where}: give the {target_key} to test")
    if len(ops) != 1:
        raise ConfigError(f"{where}: give exactly one of {', '.join(_OPS)}")
    op: Op = ops[0]  # type: ignore[assignment]
    raw = item[op]
    if op in ("in", "not_in"):
        values = raw if isinstance(raw, list) else [raw]
        return Condition(target, op, tuple(str(v).strip().casefold() for v in values))
    if op == "filled":
        if not isinstance(raw, bool):
            raise ConfigError(f"{where}: filled takes true or false")
        return Condition(target, op, wanted=raw)
    try:
        return Condition(target, op, pattern=re.compile(str(raw)))
    except re.error as exc:
        raise ConfigError(f"{where}: {op} is not a valid regular expression ({exc})") from None


@dataclass(slots=True, frozen=True)
class Transform:
    """Text changes applied to a cell before it is read: strip prefixes, extract by pattern, split a name."""

    strip_prefix: tuple[str, ...] = ()
    regex: re.Pattern[str] | None = None
    split_name: str = ""
    """``last``, ``first`` or ``middle`` of a "Last, First Middle" (or "First Last") cell."""

    def __call__(self, text: str) -> str:
        for prefix in self.strip_prefix:
            if text[: len(prefix)].casefold() == prefix.casefold():
                text = text[len(prefix) :].strip()
                break
        if self.regex is not None:
            hit = self.regex.search(text)
            text = "" if hit is None else (hit.group(1) if hit.groups() else hit.group(0)).strip()
        if self.split_name:
            text = split_name(text, self.split_name)
        return text

    @property
    def active(self) -> bool:
        """True when the transform changes anything."""
        return bool(self.strip_prefix or self.regex is not None or self.split_name)

    def describe(self) -> str:
        """The transform as a person reads it (empty when there is none)."""
        parts = []
        if self.strip_prefix:
            parts.append("strip " + "/".join(self.strip_prefix))
        if self.regex is not None:
            parts.append(f"extract /{self.regex.pattern}/")
        if self.split_name:
            parts.append(f"{self.split_name} name")
        return ", ".join(parts)


def split_name(text: str, part: str) -> str:
    """One part of a person's name: "Last, First Middle" or, without a comma, "First [Middle] Last"."""
    if "," in text:
        last, _, rest = text.partition(",")
        given = rest.split()
    else:
        words = text.split()
        last = words[-1] if words else ""
        given = words[:-1]
    if part == "last":
        return last.strip()
    if part == "first":
        return given[0] if given else ""
    return " ".join(given[1:])


def parse_transform(data: dict[str, Any], where: str) -> Transform:
    """The transform keys of a column spec (``strip_prefix``, ``regex``, ``split_name``)."""
    prefixes = data.get("strip_prefix", ())
    prefixes = [prefixes] if isinstance(prefixes, str) else prefixes
    if not isinstance(prefixes, list | tuple):
        raise ConfigError(f"{where}.strip_prefix: expected a text or a list of texts")
    regex = None
    if "regex" in data:
        try:
            regex = re.compile(str(data["regex"]))
        except re.error as exc:
            raise ConfigError(f"{where}.regex: not a valid regular expression ({exc})") from None
    part = str(data.get("split_name", ""))
    if part and part not in NAME_PARTS:
        raise ConfigError(f"{where}.split_name: use one of {', '.join(NAME_PARTS)}, not {part!r}")
    return Transform(tuple(str(p) for p in prefixes), regex, part)
