"""Portal flows: thin async Playwright code driving a portal through its selector map, returning records."""

from __future__ import annotations

from flows import acks, batches, claim_status, eligibility, eras, signin

FLOW_NAMES: dict[str, tuple[str, ...]] = {
    "sign-in": signin.NAMES,
    "eras": eras.NAMES,
    "claim status": claim_status.NAMES,
    "batches": batches.NAMES,
    "acknowledgements": acks.NAMES,
    "eligibility": eligibility.NAMES,
}
"""Every logical selector name each flow uses; every selector map must define all of them."""


def all_names() -> tuple[str, ...]:
    """The union of every flow's logical names, sorted."""
    return tuple(sorted({name for names in FLOW_NAMES.values() for name in names}))
