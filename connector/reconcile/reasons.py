"""The reason book: contractual and patient-share CARCs, descriptions and the next action by reason.

The caller loads it (``connector.codetables.load_reason_book``) and passes it in: the core reads no file."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Describer = Callable[[str, str], str]
"""(table, code) -> description, e.g. ("carc", "16"); "" when unknown."""


@dataclass(slots=True)
class ReasonBook:
    """Reason tables for reconciliation (from ``mappings/reconcile/reasons.yaml``)."""

    contractual: frozenset[str] = frozenset({"45"})
    patient_share: frozenset[str] = frozenset({"1", "2", "3"})
    next_actions: dict[str, str] = field(default_factory=dict)
    default_by_group: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    describer: Describer | None = None

    def is_contractual(self, group: str, code: str) -> bool:
        """A CO/OA/PI/CR adjustment that is the contract (or prior payer) working as agreed."""
        return group != "PR" and code in self.contractual

    def is_patient_share(self, group: str, code: str) -> bool:
        """A PR adjustment that is deductible, coinsurance or copay on an allowed amount."""
        return group == "PR" and code in self.patient_share

    def next_action(self, group: str, code: str) -> str:
        """What the biller does next for a denial with this group and CARC."""
        return (
            self.next_actions.get(f"{group}-{code}")
            or self.next_actions.get(code)
            or self.default_by_group.get(group, "review")
        )

    def describe(self, table: str, code: str) -> str:
        """Description of a CARC ("carc"), RARC ("rarc") or PLB reason ("plb"); "" when unknown.

        CARC and RARC descriptions come only from the published code lists (``mappings/codes``)."""
        if self.describer is not None:
            try:
                text = self.describer(table, code)
            except (KeyError, LookupError, ValueError):
                text = ""
            if text:
                return text
        return self.labels.get(code, "") if table == "plb" else ""


def reason_book_from(data: Mapping[str, Any], describer: Describer | None = None) -> ReasonBook:
    """A reason book from the parsed ``reasons.yaml`` mapping and a code describer (connector.codetables)."""
    return ReasonBook(
        contractual=frozenset(str(c) for c in data.get("contractual", ())),
        patient_share=frozenset(str(c) for c in data.get("patient_share", ())),
        next_actions={str(k): str(v) for k, v in (data.get("next_actions") or {}).items()},
        default_by_group={str(k): str(v) for k, v in (data.get("default_by_group") or {}).items()},
        labels={str(k): str(v) for k, v in (data.get("labels") or {}).items()},
        describer=describer,
    )
