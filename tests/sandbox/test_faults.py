"""Every fault knob over HTTP, and the admin API that sets them."""

from __future__ import annotations

import time

import httpx
import pytest

from connector.sandbox.server import SandboxServer
from connector.sandbox.state import FAULT_DEFAULTS
from tests.sandbox.helpers import batch_837, csrf_of


def test_latency(signed: httpx.Client, sandbox_fresh: SandboxServer) -> None:
    sandbox_fresh.set_fault("latency", 250)
    started = time.perf_counter()
    assert signed.get("/dashboard").status_code == 200
    assert time.perf_counter() - started >= 0.25


def test_error_rate_every_nth_request(signed: httpx.Client, sandbox_fresh: SandboxServer) -> None:
    sandbox_fresh.set_fault("error_rate", "every:2")
    codes = [signed.get("/dashboard").status_code for _ in range(6)]
    assert codes == [200, 500, 200, 502, 200, 503]
    sandbox_fresh.set_fault("error_status", 503)
    sandbox_fresh.set_fault("error_rate", "1.0")
    assert signed.get("/payments").status_code == 503
    assert httpx.get(f"{sandbox_fresh.base_url}/status.json").status_code == 200


def test_error_rate_probability(signed: httpx.Client, sandbox_fresh: SandboxServer) -> None:
    sandbox_fresh.set_fault("error_rate", "0.5")
    codes = [signed.get("/dashboard").status_code for _ in range(40)]
    assert 5 < codes.count(200) < 35 and set(codes) <= {200, 500, 502, 503}


def test_rate_limit_with_retry_after(signed: httpx.Client, sandbox_fresh: SandboxServer) -> None:
    sandbox_fresh.set_fault("rate_limit", 2)
    sandbox_fresh.set_fault("retry_after", 1)
    codes = [signed.get("/dashboard") for _ in range(3)]
    assert [r.status_code for r in codes] == [200, 200, 429]
    assert codes[2].headers["retry-after"] == "1"
    time.sleep(1.05)
    assert signed.get("/dashboard").status_code == 200


def test_maintenance_page(signed: httpx.Client, sandbox_fresh: SandboxServer) -> None:
    sandbox_fresh.set_fault("maintenance", True)
    down = signed.get("/payments")
    assert down.status_code == 503 and "Scheduled maintenance" in down.text and down.headers["retry-after"]
    assert httpx.get(f"{sandbox_fresh.base_url}/signin").status_code == 503


def test_session_expiry_after_n_requests(signed: httpx.Client, sandbox_fresh: SandboxServer) -> None:
    sandbox_fresh.set_fault("session_expiry_after", 2)
    for session in sandbox_fresh.state.sessions.values():
        session.requests = 0
    assert [signed.get("/dashboard").status_code for _ in range(2)] == [200, 200]
    expired = signed.get("/dashboard")
    assert expired.status_code == 303 and expired.headers["location"] == "/signin?expired=1"


def test_session_idle_seconds_knob(signed: httpx.Client, sandbox_fresh: SandboxServer) -> None:
    sandbox_fresh.set_fault("session_idle_seconds", 1)
    time.sleep(1.1)
    assert signed.get("/dashboard").headers["location"] == "/signin?expired=1"


def test_truncated_downloads(signed: httpx.Client, sandbox_fresh: SandboxServer) -> None:
    number = sandbox_fresh.data.payments[0].payment_number
    whole = signed.get(f"/payments/{number}/835").content
    sandbox_fresh.set_fault("truncate_downloads", "body")
    short = signed.get(f"/payments/{number}/835")
    assert short.status_code == 200 and whole.startswith(short.content) and len(short.content) < len(whole)
    sandbox_fresh.set_fault("truncate_downloads", "length")
    with pytest.raises(httpx.RemoteProtocolError):
        signed.get(f"/payments/{number}/835")


def test_hostile_filenames(signed: httpx.Client, sandbox_fresh: SandboxServer) -> None:
    sandbox_fresh.set_fault("hostile_filenames", True)
    number = sandbox_fresh.data.payments[0].payment_number
    disposition = signed.get(f"/payments/{number}/remit.pdf").headers["content-disposition"]
    assert disposition.startswith('attachment; filename="../../Remit_')


def test_interstitial_after_sign_in(client: httpx.Client, sandbox_fresh: SandboxServer) -> None:
    from tests.sandbox.helpers import sign_in

    sandbox_fresh.set_fault("interstitial", True)
    assert sign_in(client, sandbox_fresh).headers["location"] == "/notice/terms"
    assert client.get("/payments").headers["location"] == "/notice/terms"
    page = client.get("/notice/terms")
    assert "Please review our updated terms" in page.text
    accepted = client.post("/notice/terms", data={"csrf_token": csrf_of(page.text), "decision": "accept"})
    assert accepted.headers["location"] == "/dashboard" and client.get("/payments").status_code == 200


def test_drop_closes_the_upload_connection_but_keeps_the_batch(
    signed: httpx.Client, sandbox_fresh: SandboxServer
) -> None:
    sandbox_fresh.set_fault("drop", 1)
    token = csrf_of(signed.get("/batches").text)
    content = batch_837(sandbox_fresh.data, sandbox_fresh.data.claims[:1], control=31)
    with pytest.raises(httpx.RemoteProtocolError):
        signed.post("/batches", data={"csrf_token": token}, files={"file": ("a.837", content, "text/plain")})
    assert len(sandbox_fresh.state.batches) == 1 and sandbox_fresh.state.faults["drop"] == 0
    again = signed.post(
        "/batches", data={"csrf_token": token}, files={"file": ("a.837", content, "text/plain")}
    )
    assert again.status_code == 200 and 'data-testid="batch-duplicate"' in again.text


def test_admin_api(client: httpx.Client, sandbox_fresh: SandboxServer) -> None:
    assert client.post("/__admin/fault", json={"name": "latency", "value": "5"}).json() == {
        "name": "latency",
        "value": 5,
    }
    assert client.post("/__admin/fault/maintenance").json()["value"] is True
    assert client.post("/__admin/fault", json={"name": "nope", "value": 1}).status_code == 400
    assert client.post("/__admin/variant", json={"variant": "v2"}).json() == {"variant": "v2"}
    assert client.post("/__admin/variant", json={"variant": "v3"}).status_code == 400
    state = client.get("/__admin/state").json()
    assert state["variant"] == "v2" and state["faults"]["maintenance"] is True
    assert client.post("/__admin/acknowledgements").json() == {"released": 0}
    assert client.post("/__admin/reset").json() == {"reset": True}
    state = client.get("/__admin/state").json()
    assert state["variant"] == "v1" and state["faults"] == FAULT_DEFAULTS


def test_admin_api_can_be_disabled(sandbox_fresh: SandboxServer) -> None:
    sandbox_fresh.app.state.admin_enabled = False
    try:
        assert httpx.get(f"{sandbox_fresh.base_url}/__admin/state").status_code == 404
    finally:
        sandbox_fresh.app.state.admin_enabled = True


def test_reset_is_fast_and_complete(signed: httpx.Client, sandbox_fresh: SandboxServer) -> None:
    sandbox_fresh.set_fault("error_rate", "every:1")
    sandbox_fresh.set_variant("v2")
    started = time.perf_counter()
    sandbox_fresh.reset()
    assert time.perf_counter() - started < 0.05
    assert sandbox_fresh.state.sessions == {} and sandbox_fresh.state.variant == "v1"
    assert sandbox_fresh.state.last_totp_step == -1 and sandbox_fresh.state.batches == {}
    assert signed.get("/dashboard").headers["location"] == "/signin"


def test_variant_is_also_a_fault_knob(client: httpx.Client, sandbox_fresh: SandboxServer) -> None:
    assert client.post("/__admin/fault", json={"name": "variant", "value": "v2"}).json()["value"] == "v2"
    assert 'id="username"' not in client.get("/signin").text
    assert client.post("/__admin/fault", json={"name": "variant", "value": "v9"}).status_code == 400
