"""The billing office's dashboard (`connector web`): server-rendered pages over the connector's store.

::

    from connector.web import create_app
    app = create_app(settings)   # Starlette; serve with uvicorn (connector.web.server.WebServer)

Sign-in with local users (argon2), signed session cookies, CSRF tokens on every form, security headers.
"""

from __future__ import annotations

from connector.web.app import create_app

__all__ = ["create_app"]
