"""Helpers of the dashboard tests: the served dashboard, users, CSRF tokens, signed-in clients."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from connector.settings import ConnectorSettings
from connector.web.server import WebServer
from tests.conftest import PROJECT_ROOT

VIEWER = ("vera", "viewer password 1")
ADMIN = ("adam", "admin password 12")
ARTIFACTS = Path(os.environ.get("CONNECTOR_TEST_ARTIFACTS", PROJECT_ROOT / "test-artifacts")) / "web"


@dataclass
class Dashboard:
    """The served dashboard, its settings and the report the cycle wrote."""

    server: WebServer
    settings: ConnectorSettings
    report: Path

    @property
    def url(self) -> str:
        return self.server.base_url


def csrf_of(html: str) -> str:
    """The CSRF token in a page's forms."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


@contextlib.contextmanager
def signed_in(url: str, name: str, password: str) -> Iterator[httpx.Client]:
    """An HTTP client with a dashboard session."""
    with httpx.Client(base_url=url, follow_redirects=False) as client:
        token = csrf_of(client.get("/login").text)
        answer = client.post("/login", data={"csrf_token": token, "username": name, "password": password})
        assert answer.status_code == 303, answer.text
        yield client
