"""pyapp: log in to Speckle from a static page, in Python running in the browser.

Public API for site authors, from their own ``<script type="py">``::

    from pyapp import connect
    speckle = connect(config_file="config.json")   # or Settings(...), a dict, element=...
    if not speckle.signed_in:
        await speckle.login()                      # leaves for Speckle's consent page
        # or: await speckle.login(popup=True)      # consent in a popup; returns signed in
    user = await speckle.user()
    data = await speckle.query("query($n: Int) { activeUser { projects(limit: $n) "
                               "{ items { name } } } }", {"n": 5})
    headers = speckle.auth_headers()               # for your own requests to the server
    speckle.on_change(lambda session: ...)         # sign-in / sign-out, in any tab
    await speckle.logout()

A ready-made login button for an existing page: ``await pyapp.mount("#speckle-login")``.

The protocol modules (``pkce``, ``protocol``, ``flow``, ``graphql``, ``stores``) are plain
Python; ``pyapp.browser`` adapts them to the page's APIs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .client import SpeckleClient
from .config import Settings
from .embed import enable_sync_http, finish_login, resolve_settings
from .errors import (
    EndpointNotSupported,
    ExchangeRejected,
    GraphQLError,
    InsecureContext,
    InvalidConfiguration,
    LoginCancelled,
    LoginDenied,
    MissingAccessCode,
    MissingScope,
    MissingTransaction,
    NotAccessible,
    NotSignedIn,
    ObjectNotFound,
    ObjectsIncomplete,
    ObjectsMalformed,
    ObjectsTooLarge,
    PopupBlocked,
    ServerUnavailable,
    SessionDropped,
    SessionExpired,
    SpeckleError,
    StorageUnavailable,
    TokenEndpointUnreachable,
    UnusableResponse,
)
from .objects import ObjectLimits, flat_properties, walk
from .speckle_api import (
    Author,
    Model,
    ModelPage,
    Project,
    ProjectPage,
    UserProfile,
    Version,
    VersionPage,
)
from .stores import Session

if TYPE_CHECKING:
    from .ui.widget import LoginWidget


def connect(
    settings: Settings | Mapping[str, Any] | None = None,
    *,
    config_file: str | None = None,
    element: Any = None,
) -> SpeckleClient:
    """A client wired to this page's browser APIs (only works in the browser).

    Settings come from a :class:`Settings`, or are layered from a JSON ``config_file`` (a
    path in Python's files: list it under ``[files]``), the ``data-*`` attributes of
    ``element`` (an element or a CSS selector; ``data-config`` names a config file) and a
    mapping of config keys (``serverUrl``, ``appId``, ``appSecret``, ``dialect``,
    ``storage``, ``allowInsecureHttp``, ``loginMode``), later ones winning. With none, the
    client can still finish a login on a callback page and use an existing session.
    """
    from .browser import make_client  # imports ``js``: only available under Pyodide

    attributes: dict[str, str] = {}
    if element is not None:
        from .browser.page import data_attributes, find_element

        attributes = data_attributes(find_element(element))
    return make_client(resolve_settings(settings, config_file=config_file, attributes=attributes))


async def mount(
    target: Any = "#speckle-login",
    settings: Settings | Mapping[str, Any] | None = None,
    *,
    config_file: str | None = None,
    return_to: str | None = None,
    language: str | None = None,
    words: Mapping[str, str] | None = None,
) -> LoginWidget:
    """Render the drop-in login widget into ``target`` (an element or a CSS selector).

    See :func:`pyapp.ui.widget.mount`; the widget's ``client`` is a :class:`SpeckleClient`.
    The widget ships in its own zip, which the page lists next to ``pyapp.zip``.
    """
    try:
        from .ui.widget import mount as mount_widget
    except ModuleNotFoundError as error:
        if error.name != f"{__name__}.ui.widget":
            raise
        raise InvalidConfiguration("widget_not_loaded") from None

    return await mount_widget(target, settings, config_file=config_file, return_to=return_to,
                              language=language, words=words)


__all__ = [
    "Author",
    "EndpointNotSupported",
    "ExchangeRejected",
    "GraphQLError",
    "InsecureContext",
    "InvalidConfiguration",
    "LoginCancelled",
    "LoginDenied",
    "MissingAccessCode",
    "MissingScope",
    "MissingTransaction",
    "Model",
    "ModelPage",
    "NotAccessible",
    "NotSignedIn",
    "ObjectLimits",
    "ObjectNotFound",
    "ObjectsIncomplete",
    "ObjectsMalformed",
    "ObjectsTooLarge",
    "PopupBlocked",
    "Project",
    "ProjectPage",
    "ServerUnavailable",
    "Session",
    "SessionDropped",
    "SessionExpired",
    "Settings",
    "SpeckleClient",
    "SpeckleError",
    "StorageUnavailable",
    "TokenEndpointUnreachable",
    "UnusableResponse",
    "UserProfile",
    "Version",
    "VersionPage",
    "connect",
    "enable_sync_http",
    "finish_login",
    "flat_properties",
    "mount",
    "resolve_settings",
    "walk",
]
