"""270/271: every public sample read with the figures SOURCES.tsv states (AAA rejections included), a written
270 read back and passed by pyx12 (4010), a written 271 read back into the same answer."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from decimal import Decimal

import pytest

from connector.eligibility.model import Accumulator, Coverage, EligibilityResult, Inquiry, Rejection
from connector.errors import X12ParseError
from connector.x12 import ControlNumbers, Delimiters
from connector.x12.read_271 import read_270, read_271
from connector.x12.write_271 import VERSION_4010, write_270, write_271

from .conftest import Sample
from .pyx12_check import pyx12_errors

CONTROL = ControlNumbers(
    interchange=7, group=7, transaction="0001", sender_id="PRACTICE", receiver_id="87726"
)


def _counts(notes: str, key: str) -> Counter[str]:
    found = re.search(rf"{key}=((?:\w+x\d+,?)+)", notes)
    pairs = (item.split("x") for item in found.group(1).split(",")) if found else ()
    return Counter({code: int(n) for code, n in pairs})


def _aaa(notes: str) -> list[tuple[str, str, str]]:
    found = re.search(r"AAA01:03:04=([^)]*)\)", notes)
    return [tuple(item.split(":")) for item in found.group(1).split("|")] if found else []  # type: ignore[misc]


def test_every_271_sample_is_read_with_its_figures(samples: list[Sample]) -> None:
    read = 0
    for sample in (s for s in samples if s.kind == "271"):
        data = sample.path.read_bytes()
        faulty = "ENVELOPE ISSUES" in sample.notes
        if faulty:
            with pytest.raises(X12ParseError):
                read_271(data, sample.name, strict=True)
        responses = read_271(data, sample.name, strict=False)
        assert bool(responses[0].findings) == faulty, sample.name
        results = [r for resp in responses for r in resp.results]
        codes = Counter(b.code for r in results for b in r.benefits)
        assert codes == _counts(sample.notes, "EB01"), sample.name
        seen: dict[int, Rejection] = {}
        for resp in responses:
            for rejection in [*resp.rejections, *(x for r in results for x in r.rejections)]:
                seen.setdefault(id(rejection), rejection)
        rejections = [(r.valid_request, r.code, r.follow_up) for r in seen.values()]
        assert rejections == _aaa(sample.notes), sample.name
        assert all(r.status is not Coverage.NOT_CHECKED for r in results), sample.name
        read += 1
    assert read >= 10


def test_sample_answers_mean_what_they_say(x12_samples: object) -> None:
    from pathlib import Path

    folder = Path(str(x12_samples))
    (demo,) = read_271((folder / "LinuxForHealth__x12/demo.271").read_bytes())
    (result,) = demo.results
    assert (result.status, result.plan, result.office_copay, result.in_network) == (
        Coverage.ACTIVE, "GOLD 123 PLAN", Decimal("10.00"), True,
    )  # fmt: skip
    (aetna,) = read_271(
        (folder / "slott56__TigerShark/271-dependent-benefits.txt").read_bytes(), strict=False
    )
    jane = aetna.results[0]
    assert (jane.first_name, jane.dependent, jane.auth_required) == ("JANE", True, True)
    assert jane.deductible_individual == Accumulator(Decimal(200), Decimal("121.2"), Decimal("78.8"))
    (nobody,) = read_271((folder / "slott56__TigerShark/271-example.txt").read_bytes())
    assert nobody.results[0].status is Coverage.NOT_FOUND
    (refused,) = read_271(
        (folder / "LinuxForHealth__x12/subscriber-health-benefit-check-error.271").read_bytes(), strict=False
    )
    assert [r.status for r in refused.results] == [Coverage.REJECTED]


def test_every_270_sample_is_read(samples: list[Sample]) -> None:
    for sample in (s for s in samples if s.kind == "270"):
        inquiries = read_270(sample.path.read_bytes(), sample.name, strict=False)
        asked = [q for t in inquiries for q in t.inquiries]
        assert asked and all(q.member_id and q.dob for q in asked), sample.name
        assert Counter(s for q in asked for s in q.service_types) == _counts(sample.notes, "EQ01"), (
            sample.name
        )


INQUIRIES = [
    Inquiry("W123456789", "DOE", "JANE", dt.date(1980, 2, 29), dt.date(2026, 11, 30), "1234567893",
            "PRAIRIE FAMILY MEDICINE", "87726", "UNITEDHEALTHCARE", trace="A5001"),
    Inquiry("W987654321", "ROE", "RICHARD", dt.date(1955, 7, 1), dt.date(2026, 12, 1), "1234567893",
            "PRAIRIE FAMILY MEDICINE", "87726", "UNITEDHEALTHCARE", ("30", "98"), trace="A5002", sex="M"),
]  # fmt: skip


@pytest.mark.parametrize("version", ["005010X279A1", VERSION_4010])
def test_written_270_is_read_back(version: str) -> None:
    data = write_270(INQUIRIES, CONTROL, reference="B1", version=version)
    (inquiry,) = read_270(data)
    assert inquiry.envelope.group_version == version
    assert inquiry.inquiries == INQUIRIES
    if version == VERSION_4010:  # pyx12 4.0 knows the 4010 270 map (not the 5010 one)
        assert pyx12_errors(data) == []


def test_written_270_with_other_delimiters_and_no_dob() -> None:
    odd = ControlNumbers(interchange=8, group=8, delimiters=Delimiters("|", "^", "{", "\n", ""))
    asked = [Inquiry("X1", "A", "B", None, dt.date(2026, 11, 30), "1234567893", "", "87726", "", trace="1")]
    (back,) = read_270(write_270(asked, odd, reference="R"))
    assert back.inquiries[0].dob is None and back.inquiries[0].member_id == "X1"


def _active() -> EligibilityResult:
    return EligibilityResult(
        Coverage.ACTIVE, member_id="W123456789", last_name="DOE", first_name="JANE", dob=dt.date(1980, 2, 29),
        plan="HSA SAVER", group="G1", effective=dt.date(2026, 1, 1), in_network=False,
        office_copay=Decimal("0.00"), specialist_copay=Decimal("40.00"), coinsurance=Decimal("0.2"),
        deductible_individual=Accumulator(Decimal("3000.00"), Decimal("2966.70"), Decimal("33.30")),
        deductible_family=Accumulator(Decimal("6000.00"), Decimal("100.00"), Decimal("5900.00")),
        out_of_pocket_individual=Accumulator(Decimal("6500.00"), Decimal("10.00"), Decimal("6490.00")),
        referral_required=True, auth_required=True, other_payer="MEDICARE PART B",
    )  # fmt: skip


def test_written_271_reads_back_as_the_same_answer() -> None:
    terminated = EligibilityResult(
        Coverage.TERMINATED, plan="PPO", end=dt.date(2026, 10, 31), last_name="ROE"
    )
    answers = [
        (INQUIRIES[0], _active()),
        (INQUIRIES[1], terminated),
        (INQUIRIES[0], EligibilityResult(Coverage.NOT_FOUND)),
        (INQUIRIES[1], EligibilityResult(Coverage.SEVERAL_MATCHES)),
    ]
    (response,) = read_271(write_271(answers, CONTROL, reference="B1"))
    active, ended, nobody, several = response.results
    want = _active()
    same = ("status", "plan", "group", "effective", "in_network", "specialist_copay", "coinsurance",
            "deductible_individual", "deductible_family", "out_of_pocket_individual",
            "referral_required", "auth_required", "other_payer", "last_name", "dob", "member_id")  # fmt: skip
    for name in same:
        assert getattr(active, name) == getattr(want, name), name
    assert active.trace == "A5001" and active.service_date == dt.date(2026, 11, 30)
    assert (ended.status, ended.end) == (Coverage.TERMINATED, dt.date(2026, 10, 31))
    assert [r.code for r in nobody.rejections] == ["75"] and nobody.status is Coverage.NOT_FOUND
    assert several.status is Coverage.SEVERAL_MATCHES
    (mismatch,) = read_271(write_271([answers[2]], CONTROL, reference="B2", dob_mismatch=True))
    assert [r.code for r in mismatch.results[0].rejections] == ["71"]
