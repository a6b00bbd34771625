"""Helpers for the sandbox tests: sign in over HTTP, build 837 files from the practice data."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import httpx

from connector.sandbox.model import Claim, Dataset
from connector.sandbox.server import SandboxServer
from connector.x12 import ControlNumbers, write_837
from connector.x12.models import (
    Address,
    BillingProvider,
    Claim837,
    ClaimBatch837,
    Payer,
    Person,
    Provider,
    Receiver,
    ServiceLine837,
    Submitter,
)

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = CSRF.search(html)
    assert found is not None, "page has no CSRF token"
    return found.group(1)


def sign_in(client: httpx.Client, sandbox: SandboxServer, code_offset: int = 0) -> httpx.Response:
    """Password then one-time code; returns the response of the code step (303 to the dashboard)."""
    page = client.get("/signin")
    token = csrf_of(page.text)
    first = client.post(
        "/signin", data={"csrf_token": token, "username": sandbox.username, "password": sandbox.password}
    )
    assert first.status_code == 303 and first.headers["location"] == "/signin/verify", first.text[:500]
    return client.post("/signin/verify", data={"csrf_token": token, "code": sandbox.totp_now(code_offset)})


def batch_837(
    data: Dataset, claims: list[Claim], *, billing_npi: str | None = None, control: int = 1
) -> bytes:
    """An 837P of the given claims as the practice would send them (REF*6R = line id)."""
    practice = data.practice
    out: list[Claim837] = []
    for claim in claims:
        p = claim.patient
        person = Person(
            p.last, p.first, p.dob, p.sex, Address(p.address, "", p.city, p.state, p.zip), p.member_id
        )
        lines = [
            ServiceLine837(
                line.line_id, line.procedure, line.charge, Decimal(line.units), line.service_date,
                modifiers=line.modifiers, diagnosis_pointers=line.pointers,
            )
            for line in claim.lines
        ]  # fmt: skip
        out.append(
            Claim837(
                claim.claim_id, claim.charge, person, Payer(data.payer.name, data.payer.payer_id),
                claim.diagnoses, lines, rendering=Provider("HARTMAN", claim.rendering_npi, "JULIA"),
            )
        )  # fmt: skip
    batch = ClaimBatch837(
        "professional",
        Submitter(practice.name, practice.tin, "BILLING OFFICE", "2175550100"),
        Receiver(data.payer.name, data.payer.payer_id),
        BillingProvider(
            practice.name, billing_npi or practice.npi, practice.tin,
            Address(practice.address, "", practice.city, practice.state, practice.zip),
        ),
        out,
    )  # fmt: skip
    numbers = ControlNumbers(
        interchange=control, group=control, sender_id=practice.tin, receiver_id=data.payer.payer_id,
        created=dt.datetime(2026, 11, 28, 9, 30),
    )  # fmt: skip
    return write_837(batch, control=numbers)
