"""Claim batches over HTTP: upload, duplicates, rejected claims, delayed acknowledgements, the mailbox."""

from __future__ import annotations

import re

import httpx

from connector.sandbox.server import SandboxServer
from connector.x12 import read_277ca, read_999
from tests.sandbox.helpers import batch_837, csrf_of

BATCH_ID = re.compile(r'data-testid="batch-id">(B\d{6})<')


def _upload(signed: httpx.Client, content: bytes, name: str = "claims.837") -> httpx.Response:
    token = csrf_of(signed.get("/batches").text)
    return signed.post("/batches", data={"csrf_token": token}, files={"file": (name, content, "text/plain")})


def _mailbox(signed: httpx.Client) -> dict[str, bytes]:
    html = signed.get("/responses").text
    links = re.findall(r'href="(/responses/[^"]+)"', html)
    return {link.rsplit("/", 1)[1]: signed.get(link).content for link in links}


def test_upload_gives_batch_id_and_acknowledgements(
    signed: httpx.Client, sandbox_fresh: SandboxServer
) -> None:
    data = sandbox_fresh.data
    claims = [c for c in data.claims if c.in_pm][:6]
    response = _upload(signed, batch_837(data, claims))
    assert response.status_code == 200
    (batch_id,) = BATCH_ID.findall(response.text)
    assert f'data-batch-id="{batch_id}"' in signed.get("/batches").text
    files = _mailbox(signed)
    assert set(files) == {f"{batch_id}-999", f"{batch_id}-277CA"}
    (ack,) = list(read_999(files[f"{batch_id}-999"]))
    assert ack.accepted and ack.transactions[0].status == "A"
    (claim_ack,) = list(read_277ca(files[f"{batch_id}-277CA"]))
    assert sorted(c.claim_id for c in claim_ack.accepted_claims) == sorted(c.claim_id for c in claims)
    status = signed.get("/claims/status", params={"claim_number": claims[0].claim_id}).text
    assert "Acknowledged" in status


def test_same_file_twice_is_flagged_duplicate(signed: httpx.Client, sandbox_fresh: SandboxServer) -> None:
    content = batch_837(sandbox_fresh.data, sandbox_fresh.data.claims[:2], control=7)
    first = BATCH_ID.findall(_upload(signed, content).text)
    again = _upload(signed, content, "renamed.837")
    assert 'data-testid="batch-duplicate"' in again.text
    assert BATCH_ID.findall(again.text) == first
    assert len(sandbox_fresh.state.batches) == 1
    assert sandbox_fresh.state.batches[first[0]].duplicate_uploads == 1


def test_claims_with_errors_are_rejected_in_the_277ca(
    signed: httpx.Client, sandbox_fresh: SandboxServer
) -> None:
    data = sandbox_fresh.data
    good, bad_code, bad_dx = (c for c in data.claims[:3])
    bad_code.lines[0].procedure, saved_code = "99X13", bad_code.lines[0].procedure
    bad_dx.diagnoses, saved_dx = ("1234",), bad_dx.diagnoses
    try:
        content = batch_837(data, [good, bad_code, bad_dx], control=21)
    finally:
        bad_code.lines[0].procedure, bad_dx.diagnoses = saved_code, saved_dx
    (batch_id,) = BATCH_ID.findall(_upload(signed, content).text)
    (claim_ack,) = list(read_277ca(_mailbox(signed)[f"{batch_id}-277CA"]))
    assert [c.claim_id for c in claim_ack.accepted_claims] == [good.claim_id]
    rejected = {c.claim_id: c for c in claim_ack.rejected_claims}
    assert rejected[bad_code.claim_id].statuses[0].code == "454"
    assert rejected[bad_dx.claim_id].statuses[0].code == "254"
    npi_batch = batch_837(data, [good], billing_npi="1234567890", control=22)
    (npi_id,) = BATCH_ID.findall(_upload(signed, npi_batch).text)
    (npi_ack,) = list(read_277ca(_mailbox(signed)[f"{npi_id}-277CA"]))
    assert npi_ack.claims[0].rejected and (
        npi_ack.claims[0].statuses[0].code,
        npi_ack.claims[0].statuses[0].entity,
    ) == ("562", "85")


def test_acknowledgements_wait_for_the_delay(signed: httpx.Client, sandbox_fresh: SandboxServer) -> None:
    sandbox_fresh.set_fault("ack_delay", 3600)
    (batch_id,) = BATCH_ID.findall(
        _upload(signed, batch_837(sandbox_fresh.data, sandbox_fresh.data.claims[:1])).text
    )
    assert "No responses yet" in signed.get("/responses").text
    assert "Received" in signed.get("/batches").text
    assert signed.get(f"/responses/{batch_id}-999").status_code == 404
    assert sandbox_fresh.advance_acknowledgements() == 1
    assert set(_mailbox(signed)) == {f"{batch_id}-999", f"{batch_id}-277CA"}


def test_not_x12_and_missing_file_are_refused(signed: httpx.Client) -> None:
    refused = _upload(signed, b"hello, this is not an 837")
    assert refused.status_code == 422 and "not a valid X12 837" in refused.text
    token = csrf_of(signed.get("/batches").text)
    assert signed.post("/batches", data={"csrf_token": token}).status_code == 400
    assert (
        signed.post(
            "/batches", data={"csrf_token": "x"}, files={"file": ("a", b"ISA", "text/plain")}
        ).status_code
        == 403
    )
