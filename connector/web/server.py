"""Serve the dashboard with uvicorn: in the foreground (`connector web`) or in a thread (demo, tests)."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn

from connector.settings import ConnectorSettings
from connector.web.app import create_app
from connector.web.jobs import JobRunner


class WebServer:
    """The dashboard on one socket; ``base_url`` once bound (port 0 picks a free port)."""

    def __init__(
        self,
        settings: ConnectorSettings,
        *,
        host: str | None = None,
        port: int | None = None,
        runner: JobRunner | None = None,
    ) -> None:
        self.app = create_app(settings, runner)
        host = host or settings.web.host
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind((host, settings.web.port if port is None else port))
        # listening from here on: a client that connects before uvicorn runs waits in the backlog, not refused
        self.socket.listen(2048)
        self.host, self.port = host, int(self.socket.getsockname()[1])
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            http="h11",
            loop="asyncio",
            proxy_headers=settings.web.behind_tls,
            forwarded_allow_ips="127.0.0.1",
        )
        self.server = uvicorn.Server(config)
        self.thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """http://host:port (no trailing slash)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self, timeout: float = 10.0) -> WebServer:
        """Serve in a background thread; returns once the server accepts connections."""
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, name="dashboard", daemon=True
        )
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the dashboard did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop the background server and release the database."""
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=10)
        self.socket.close()
        self.app.state.web.close()

    def serve_forever(self) -> None:
        """Serve in the foreground until Ctrl-C."""
        try:
            self.server.run(sockets=[self.socket])
        finally:
            self.socket.close()
            self.app.state.web.close()
