"""The eligibility flow reads a result page into the same figures the portal's 271 download states."""

from __future__ import annotations

import pytest

from connector.eligibility.model import Coverage, Inquiry
from connector.x12.read_271 import read_271
from flows.eligibility import check_eligibility

from .conftest import Portal

FIGURES = (
    "status", "plan", "group", "effective", "office_copay", "specialist_copay", "coinsurance",
    "deductible_individual", "deductible_family", "out_of_pocket_individual", "in_network", "last_name",
    "dob",
)  # fmt: skip


@pytest.mark.parametrize("variant", ["v1"])  # v2 is covered end to end by tests/ops/test_eligibility_job.py
async def test_result_page_equals_the_271_download(portal: Portal) -> None:
    await portal.sign_in()
    visit = next(v for v in portal.sandbox.data.visits if v.case == "family_deductible")
    p = visit.patient
    asked = Inquiry(visit.member_id, p.last, p.first, visit.dob_in_pm, visit.start.date(), visit.provider_npi)
    page = await check_eligibility(portal.page, asked)
    assert page.status is Coverage.ACTIVE and str(page.deductible_family.remaining) == "120.00"
    href = await (await portal.page.find("elig.download_271")).get_attribute("href")
    reply = await portal.page.context.request.get(portal.page.url_for(href or ""))
    (response,) = read_271(await reply.body(), "download.271")
    (from_x12,) = response.results
    assert from_x12.source == "271"
    assert {name: getattr(from_x12, name) for name in FIGURES} == {
        name: getattr(page, name) for name in FIGURES
    }
