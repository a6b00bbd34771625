"""The eligibility flow against the live sandbox (v1 and v2): every kind of answer, and the 271 download."""

from __future__ import annotations

import datetime as dt
import json

from connector.eligibility.model import Coverage, Inquiry
from connector.sandbox.eligibility import Visit
from connector.x12.read_271 import read_271
from flows.eligibility import check_eligibility

from .conftest import Portal


def _inquiry(v: Visit) -> Inquiry:
    p = v.patient
    return Inquiry(v.member_id, p.last, p.first, v.dob_in_pm, v.start.date(), v.provider_npi)


async def test_each_kind_of_answer_is_read(portal: Portal) -> None:
    await portal.sign_in()
    data = portal.sandbox.data
    by_case = {v.case: v for v in data.visits}
    truth = {e["appointment_id"]: e for e in json.loads(portal.sandbox.ground_truth.read_text())["eligibility"]}
    for case in ("family_deductible", "terminated", "not_found", "several_matches", "dob_mismatch",
                 "other_payer_primary", "auth_required"):  # fmt: skip
        visit = by_case[case]
        result = await check_eligibility(portal.page, _inquiry(visit))
        assert result.status.value == truth[visit.appointment_id]["status"], case
    assert result.auth_codes == ("20610", "J1030")
    assert result.deductible_individual.remaining is not None
    other = await check_eligibility(portal.page, _inquiry(by_case["other_payer_primary"]))
    assert other.other_payer == "Medicare Part B" and other.status is Coverage.ACTIVE
    family = await check_eligibility(portal.page, _inquiry(by_case["family_deductible"]))
    assert str(family.deductible_family.remaining) == "120.00"
    assert family.dob == by_case["family_deductible"].patient.dob
    assert isinstance(family.effective, dt.date)
    link = await portal.page.find("elig.download_271")
    href = await link.get_attribute("href")
    reply = await portal.page.context.request.get(portal.page.url_for(href or ""))
    (response,) = read_271(await reply.body(), "download.271")
    (from_x12,) = response.results
    assert from_x12.source == "271"
    for name in ("status", "plan", "group", "effective", "office_copay", "coinsurance", "deductible_individual",
                 "deductible_family", "out_of_pocket_individual", "in_network", "last_name", "dob"):  # fmt: skip
        assert getattr(from_x12, name) == getattr(family, name), name
