"""pyapp: log in to Speckle from a static page, in Python running in the browser.

Public API for site authors (browser side)::

    from pyapp import Settings, connect
    client = connect(Settings(server_url="https://app.speckle.systems", app_id="…"))
    await client.login()            # leaves for Speckle's consent page
    data = await client.query("{ activeUser { name } }")

The protocol modules (``pkce``, ``protocol``, ``flow``, ``graphql``, ``stores``) are plain
Python; ``pyapp.browser`` adapts them to the page's APIs.
"""

from __future__ import annotations


from .client import SpeckleClient
from .config import Settings
from .errors import (
    EndpointNotSupported,
    ExchangeRejected,
    GraphQLError,
    InsecureContext,
    InvalidConfiguration,
    LoginDenied,
    MissingAccessCode,
    MissingScope,
    MissingTransaction,
    NotSignedIn,
    ServerUnavailable,
    SessionExpired,
    SpeckleAuthError,
)



def connect(settings: Settings | None = None) -> SpeckleClient:
    """A client wired to this page's browser APIs (only works in the browser)."""
    from .browser import make_client  # imports ``js``: only available under Pyodide

    return make_client(settings)


__all__ = [
    "EndpointNotSupported",
    "ExchangeRejected",
    "GraphQLError",
    "InsecureContext",
    "InvalidConfiguration",
    "LoginDenied",
    "MissingAccessCode",
    "MissingScope",
    "MissingTransaction",
    "NotSignedIn",
    "ServerUnavailable",
    "SessionExpired",
    "Settings",
    "SpeckleAuthError",
    "SpeckleClient",
    "connect",
]
