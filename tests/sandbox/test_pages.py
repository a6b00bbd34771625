"""Portal pages over HTTP: dashboard, payments search/pagination/downloads, claim status, variants, status."""

from __future__ import annotations

import re

import httpx

from connector.sandbox.server import SandboxServer
from connector.x12 import read_835

ROW = re.compile(r'data-payment-number="([^"]+)"')


def test_dashboard_figures(signed: httpx.Client, sandbox_fresh: SandboxServer) -> None:
    page = signed.get("/dashboard").text
    data = sandbox_fresh.data
    november = [p for p in data.payments if not p.zero_pay and p.date.month == 11]
    total = sum(p.amount for p in november)
    assert f"${total:,.2f}" in page and f"{len(november)} payments" in page
    assert re.search(r'data-testid="denial-rate-value">\d+\.\d%<', page)
    pending = len([s for s in data.statuses if s.category in ("A1", "A2", "P1")])
    assert f'data-testid="pending-claims-value">{pending}<' in page


def test_payments_paginate_newest_first(signed: httpx.Client, sandbox_fresh: SandboxServer) -> None:
    data = sandbox_fresh.data
    seen: list[str] = []
    page, url = 1, "/payments"
    while True:
        html = signed.get(url).text
        seen.extend(ROW.findall(html))
        found = re.search(r'href="(/payments\?[^"]*page=\d+)" rel="next"', html)
        if not found:
            break
        url = found.group(1).replace("&amp;", "&")
        page += 1
    assert page >= 3
    assert sorted(seen) == sorted(p.payment_number for p in data.payments)
    dates = [data.payment(n).date for n in seen]  # type: ignore[union-attr]
    assert dates == sorted(dates, reverse=True)


def test_payments_search_filters(signed: httpx.Client, sandbox_fresh: SandboxServer) -> None:
    data = sandbox_fresh.data
    target = data.payments[5]
    one = signed.get("/payments", params={"payment_number": target.payment_number}).text
    assert ROW.findall(one) == [target.payment_number]
    ranged = signed.get("/payments", params={"from": "2026-11-02", "to": "2026-11-06", "per_page": 100}).text
    expected = {p.payment_number for p in data.payments if "2026-11-02" <= p.date.isoformat() <= "2026-11-06"}
    assert set(ROW.findall(ranged)) == expected and expected
    assert ROW.findall(signed.get("/payments", params={"tin": "000000000"}).text) == []
    assert len(ROW.findall(signed.get("/payments", params={"tin": data.practice.tin}).text)) == 15
    assert "YYYY-MM-DD" in signed.get("/payments", params={"from": "11/02/2026"}).text


def test_downloads_are_attachments_and_parse(signed: httpx.Client, sandbox_fresh: SandboxServer) -> None:
    for payment in sandbox_fresh.data.payments:
        era = signed.get(f"/payments/{payment.payment_number}/835")
        assert era.status_code == 200
        assert era.headers["content-disposition"].startswith('attachment; filename="ERA_')
        (remit,) = list(read_835(era.content))
        assert remit.findings == [] and remit.trace_number == payment.payment_number
    pdf = signed.get(f"/payments/{payment.payment_number}/remit.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert (
        pdf.headers["content-disposition"]
        == f'attachment; filename="Remit_{payment.payment_number}_{payment.date:%Y%m%d}.pdf"'
    )
    assert signed.get("/payments/999/835").status_code == 404


def test_downloads_work_with_the_session_cookie_only(
    signed: httpx.Client, sandbox_fresh: SandboxServer
) -> None:
    number = sandbox_fresh.data.payments[0].payment_number
    cookie = signed.cookies.get("sbx_session")
    plain = httpx.get(
        f"{sandbox_fresh.base_url}/payments/{number}/835", cookies={"sbx_session": cookie or ""}
    )
    assert plain.status_code == 200 and plain.content.startswith(b"ISA")
    anonymous = httpx.get(f"{sandbox_fresh.base_url}/payments/{number}/835")
    assert anonymous.status_code == 303


def test_claim_status_by_claim_number_and_by_member(
    signed: httpx.Client, sandbox_fresh: SandboxServer
) -> None:
    data = sandbox_fresh.data
    record = next(s for s in data.statuses if s.category == "F1")
    html = signed.get("/claims/status", params={"claim_number": record.claim_id}).text
    assert f'data-claim-number="{record.claim_id}"' in html
    assert record.payment_number in html and f"${record.paid:,.2f}" in html and ">F1<" in html
    by_payer_number = signed.get("/claims/status", params={"claim_number": record.payer_claim_number}).text
    assert f'data-claim-number="{record.claim_id}"' in by_payer_number
    params = {
        "member_id": record.member_id,
        "dob": record.dob.isoformat(),
        "service_date": record.service_date.isoformat(),
    }
    assert f'data-claim-number="{record.claim_id}"' in signed.get("/claims/status", params=params).text
    denied = next(s for s in data.statuses if s.category == "F2")
    assert "Finalized - Denied" in signed.get("/claims/status", params={"claim_number": denied.claim_id}).text
    assert "No claims found" in signed.get("/claims/status", params={"claim_number": "NOPE"}).text
    incomplete = signed.get("/claims/status", params={"member_id": record.member_id})
    assert 'role="alert"' in incomplete.text


def test_v2_renames_and_moves_but_keeps_labels(signed: httpx.Client, sandbox_fresh: SandboxServer) -> None:
    v1 = signed.get("/payments").text
    sandbox_fresh.set_variant("v2")
    v2 = signed.get("/payments").text
    assert 'data-testid="payments-table"' in v1 and 'data-testid="payments-table"' not in v2
    assert 'id="pay-from"' in v1 and 'id="pay-from"' not in v2
    for label in (
        ">From date</label>",
        ">Payment number</label>",
        ">Search</button>",
        ">Next</a>",
        "Download 835 for",
    ):
        assert label in v1 and label in v2, label
    headers = [re.findall(r'<th scope="col">([^<]+)</th>', html) for html in (v1, v2)]
    assert sorted(headers[0]) == sorted(headers[1]) and headers[0] != headers[1]
    nav = [re.findall(r'<li><a href="(/[a-z/]+)"', html) for html in (v1, v2)]
    assert nav[1] == list(reversed(nav[0]))
    for label in ("Username", "Password"):
        signin = httpx.get(f"{sandbox_fresh.base_url}/signin").text
        assert re.search(rf'<label for="k[0-9a-f]{{6}}">{label}</label>', signin)


def test_status_page_and_json(client: httpx.Client, sandbox_fresh: SandboxServer) -> None:
    document = client.get("/status.json").json()
    assert document["status"]["indicator"] == "none"
    assert {c["status"] for c in document["components"]} == {"operational"}
    window = document["scheduled_maintenances"][0]
    assert window["status"] == "scheduled" and window["scheduled_for"] < window["scheduled_until"]
    assert "All Systems Operational" in client.get("/status").text
    sandbox_fresh.set_fault("maintenance", True)
    document = client.get("/status.json").json()
    assert document["status"]["indicator"] == "maintenance"
    assert document["scheduled_maintenances"][0]["status"] == "in_progress"
    assert "Service Under Maintenance" in client.get("/status").text
    sandbox_fresh.set_fault("maintenance", False)
    sandbox_fresh.set_fault("error_rate", "every:5")
    assert client.get("/status.json").json()["status"]["indicator"] == "minor"


def test_no_nagle_stall_on_loopback(sandbox_fresh: SandboxServer) -> None:
    import statistics
    import time

    with httpx.Client(base_url=sandbox_fresh.base_url) as plain:
        timings = []
        for _ in range(15):
            started = time.perf_counter()
            assert plain.get("/status.json").status_code == 200
            timings.append(time.perf_counter() - started)
    assert statistics.median(timings) < 0.02, timings
