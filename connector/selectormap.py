"""Selector maps: load and validate selectors/*.yaml, resolve logical names to Locators, report drift.

A map file looks like::

    portal: sandbox-v1
    verified: true
    pages:                      # for `connector selectors check`: where each page lives, what it shows
      login: {path: /login, names: [login.username, login.password, login.submit]}
    selectors:
      login.username: ["label=User ID", "data-testid=login-username"]
      payments.row: {many: true, any: ["css=table tbody tr"]}

Each logical name maps to an ordered list of strategies; the first that resolves on the page wins.
Strategies: ``role=<role>[name="<accessible name>"]``, ``label=<text>``, ``data-testid=<id>``,
``css=<selector>``, ``text=<exact text>``, ``xpath=<path>`` (a portal's own XPath, e.g. from its test
suite; under a row it is relative when it starts with ``.``), and inside a table row ``column=<header text>``
(the cell under that column header, wherever the column moved).
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from playwright.async_api import Frame, Locator, Page

from connector.errors import ConfigError, SelectorMissing
from connector.resources import data_dir

STRATEGIES = ("role", "label", "data-testid", "css", "text", "column", "xpath")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
ROLE_RE = re.compile(r'^(?P<role>[a-z]+)(\[name=(?P<q>["\'])(?P<name>.+)(?P=q)\])?$')
POLL_S = 0.1


Root = Page | Frame | Locator
"""Anything Locators can be built from."""


@dataclass(frozen=True, slots=True)
class Strategy:
    """One way of finding an element: ``kind=value``."""

    kind: str
    value: str

    @classmethod
    def parse(cls, raw: str, where: str) -> Strategy:
        """Parse ``kind=value``; raise ConfigError naming the map and logical name when malformed."""
        kind, sep, value = raw.partition("=")
        if not sep or kind not in STRATEGIES or not value.strip():
            raise ConfigError(f"{where}: {raw!r} is not one of {', '.join(k + '=...' for k in STRATEGIES)}")
        if kind == "role" and not ROLE_RE.match(value):
            raise ConfigError(f'{where}: {raw!r} must look like role=button[name="Sign in"]')
        if kind == "column" and '"' in value:
            raise ConfigError(f"{where}: {raw!r}: a column header cannot contain double quotes")
        return cls(kind, value)

    def locate(self, root: Root) -> Locator:
        """The Playwright Locator this strategy describes, under ``root``."""
        if self.kind == "role":
            match = ROLE_RE.match(self.value)
            assert match is not None
            name = match.group("name")
            role: Any = match.group("role")
            return root.get_by_role(role, name=name, exact=True)
        if self.kind == "label":
            return root.get_by_label(self.value, exact=True)
        if self.kind == "data-testid":
            return root.get_by_test_id(self.value)
        if self.kind == "text":
            return root.get_by_text(self.value, exact=True)
        if self.kind == "column":  # the cell of a table row under the header with this visible text
            header = f'ancestor::table[1]/thead/tr/th[normalize-space(.)="{self.value}"]'
            return root.locator(
                f"xpath=./*[{header} and position() = count({header}/preceding-sibling::*) + 1]"
            )
        if self.kind == "xpath":
            return root.locator(f"xpath={self.value}")
        return root.locator(f"css={self.value}")

    def __str__(self) -> str:
        return f"{self.kind}={self.value}"


@dataclass(frozen=True, slots=True)
class Entry:
    """A logical name's strategies, and whether it names a list of elements (rows) or one element."""

    name: str
    strategies: tuple[Strategy, ...]
    many: bool = False
    optional: bool = False


@dataclass(frozen=True, slots=True)
class PageSpec:
    """A portal page for the drift check: its path, the names it shows, and the scope of row-level names."""

    key: str
    path: str
    names: tuple[str, ...]
    within: dict[str, str] = field(default_factory=dict)
    empty: str | None = None
    """A name shown when the page's list is empty; then list and row names report ``empty``, not a miss."""


MatchState = Literal["matched", "none", "several", "empty"]


@dataclass(frozen=True, slots=True)
class NameCheck:
    """What the drift check found for one logical name on one page."""

    page: str
    name: str
    state: MatchState
    strategy: str | None
    count: int


@dataclass(frozen=True, slots=True)
class SelectorMap:
    """A validated selector map for one portal and UI version."""

    portal: str
    verified: bool
    entries: dict[str, Entry]
    pages: dict[str, PageSpec]
    source: Path | None = None
    options: dict[str, str] = field(default_factory=dict)
    """Portal-specific values flows need (e.g. ``date_format``)."""

    def entry(self, name: str) -> Entry:
        """The entry for ``name``; SelectorMissing(portal, name) when the map does not define it."""
        try:
            return self.entries[name]
        except KeyError:
            raise SelectorMissing(self.portal, name, "is not defined in the map") from None

    def has(self, name: str) -> bool:
        """Whether the map defines ``name`` (flows use optional portal features only when it does)."""
        return name in self.entries

    def missing(self, names: tuple[str, ...] | list[str]) -> list[str]:
        """The names from ``names`` this map does not define."""
        return [n for n in names if n not in self.entries]

    async def probe(self, root: Root, name: str) -> tuple[Strategy | None, Locator | None, int]:
        """Try each strategy once, without waiting; return the first that finds anything and its count."""
        for strategy in self.entry(name).strategies:
            loc = strategy.locate(root)
            count = await loc.count()
            if count:
                return strategy, loc, count
        return None, None, 0

    async def find(self, root: Root, name: str, *, timeout_s: float = 10.0) -> Locator:
        """Wait until one of ``name``'s strategies resolves (first wins); raise SelectorMissing on timeout.

        For a single-element name the Locator is narrowed to the first match; for a ``many`` name
        the Locator covers every match.
        """
        entry = self.entry(name)
        deadline = time.monotonic() + timeout_s
        while True:
            _, loc, count = await self.probe(root, name)
            if loc is not None and count:
                return loc if entry.many else loc.first
            if time.monotonic() >= deadline:
                raise SelectorMissing(self.portal, name)
            await asyncio.sleep(POLL_S)

    async def present(self, root: Root, name: str) -> bool:
        """Whether ``name`` resolves right now (no waiting); a name the map leaves out is not present."""
        if name not in self.entries:
            return False
        _, loc, _ = await self.probe(root, name)
        return loc is not None

    async def check_page(self, root: Root, page: PageSpec) -> list[NameCheck]:
        """The drift report for one page: per logical name, the matching strategy, none, or several."""
        out: list[NameCheck] = []
        listless = page.empty is not None and await self.present(root, page.empty)
        for name in page.names:
            if listless and (self.entry(name).many or name in page.within):
                out.append(NameCheck(page.key, name, "empty", None, 0))
                continue
            scope: Root = root
            if name in page.within:
                _, parent, _ = await self.probe(root, page.within[name])
                if parent is None:
                    out.append(NameCheck(page.key, name, "none", None, 0))
                    continue
                scope = parent.first
            strategy, _, count = await self.probe(scope, name)
            entry = self.entry(name)
            if strategy is None:
                state: MatchState = "none"
            elif count > 1 and not entry.many:
                state = "several"
            else:
                state = "matched"
            out.append(NameCheck(page.key, name, state, str(strategy) if strategy else None, count))
        return out


def _entry(portal: str, name: str, raw: object) -> Entry:
    where = f"selector map {portal!r}, {name!r}"
    if not NAME_RE.match(name):
        raise ConfigError(f"{where}: logical names look like 'page.element' (lower case, dotted)")
    many = optional = False
    if isinstance(raw, dict):
        unknown = set(raw) - {"any", "many", "optional"}
        if unknown:
            raise ConfigError(f"{where}: unknown keys {sorted(unknown)}")
        many, optional = bool(raw.get("many", False)), bool(raw.get("optional", False))
        raw = raw.get("any")
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not raw or not all(isinstance(s, str) for s in raw):
        raise ConfigError(f"{where}: needs a non-empty list of strategies")
    return Entry(name, tuple(Strategy.parse(s, where) for s in raw), many, optional)


def parse_map(data: object, source: Path | None = None) -> SelectorMap:
    """Validate a loaded YAML document and build its SelectorMap (ConfigError on any problem)."""
    label = str(source) if source else "<map>"
    if not isinstance(data, dict) or not isinstance(data.get("portal"), str):
        raise ConfigError(f"{label}: a selector map needs 'portal: <name>' and 'selectors:'")
    portal: str = data["portal"]
    raw_selectors = data.get("selectors")
    if not isinstance(raw_selectors, dict) or not raw_selectors:
        raise ConfigError(f"{label}: 'selectors' must map logical names to strategies")
    entries = {str(k): _entry(portal, str(k), v) for k, v in raw_selectors.items()}
    pages: dict[str, PageSpec] = {}
    for key, spec in (data.get("pages") or {}).items():
        if not isinstance(spec, dict) or not isinstance(spec.get("path"), str):
            raise ConfigError(f"{label}: page {key!r} needs a 'path'")
        names = tuple(spec.get("names") or ())
        within = {str(k): str(v) for k, v in (spec.get("within") or {}).items()}
        empty = str(spec["empty"]) if spec.get("empty") else None
        undefined = [n for n in (*names, *within.values(), *([empty] if empty else [])) if n not in entries]
        if undefined:
            raise ConfigError(f"{label}: page {key!r} lists undefined names {undefined}")
        pages[str(key)] = PageSpec(str(key), spec["path"], names, within, empty)
    options = {str(k): str(v) for k, v in (data.get("options") or {}).items()}
    return SelectorMap(portal, bool(data.get("verified", True)), entries, pages, source, options)


def load_map(portal: str, folder: Path | None = None) -> SelectorMap:
    """Load ``selectors/<portal>.yaml`` (or a path to a YAML file) and validate it."""
    path = (
        Path(portal)
        if portal.endswith((".yaml", ".yml"))
        else (folder or data_dir("selectors")) / (portal + ".yaml")
    )
    if not path.is_file():
        raise ConfigError(f"no selector map {path.name!r} in {path.parent}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({type(exc).__name__})") from None
    smap = parse_map(data, path)
    if smap.portal != path.stem:
        raise ConfigError(f"{path}: 'portal: {smap.portal}' does not match the file name")
    return smap


def available_maps(folder: Path | None = None) -> list[str]:
    """Names of every selector map shipped in selectors/."""
    return sorted(p.stem for p in (folder or data_dir("selectors")).glob("*.yaml"))
