"""Portal flows: thin async Playwright code driving a portal through its selector map, returning records."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flows import acks, batches, claim_status, eras, signin, view_payments

if TYPE_CHECKING:
    from connector.selectormap import SelectorMap

FLOW_NAMES: dict[str, tuple[str, ...]] = {
    "sign-in": signin.NAMES,
    "eras": eras.NAMES,
    "claim status": claim_status.NAMES,
    "batches": batches.NAMES,
    "acknowledgements": acks.NAMES,
}
"""Every logical selector name each flow uses; every selector map must define all of them."""


def all_names() -> tuple[str, ...]:
    """The union of every flow's logical names, sorted."""
    return tuple(sorted({name for names in FLOW_NAMES.values() for name in names}))


def names_for(smap: SelectorMap) -> tuple[str, ...]:
    """The names ``smap`` must define: every flow's, with the period walk (flows.view_payments) instead
    of the date search where the payments page has no free date fields (the map names ``payments.period``).
    """
    names = set(all_names())
    if smap.has("payments.period"):
        names = (names - set(eras.DATE_NAMES)) | set(view_payments.NAMES)
    return tuple(sorted(names))
