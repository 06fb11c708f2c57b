"""What a site author needs around :class:`~pyapp.client.SpeckleClient` on their own pages.

* :func:`resolve_settings` merges the places settings can come from: a config file, the
  ``data-*`` attributes of an element, and values given in code (plain Python, unit-tested).
* :func:`finish_login` is the whole body of a custom callback page.
* :func:`enable_sync_http` lets ordinary synchronous HTTP code (``urllib.request``,
  ``requests``) run in the browser, so it can call Speckle with
  :meth:`~pyapp.client.SpeckleClient.auth_headers`.

Browser-only imports happen inside the functions that need them, so this module also loads
under CPython.
"""

from __future__ import annotations

# urllib.parse is imported where it is used (why: pyapp.page_urls).
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .config import Settings, config_from_attributes, load_config_file
from .page_urls import CALLBACK_PARAMS

if TYPE_CHECKING:
    from .client import SpeckleClient
    from .flow import CallbackResult

#: The attribute that names a config file for an element (a path in Python's files).
CONFIG_ATTRIBUTE = "data-config"


def resolve_settings(
    settings: Settings | Mapping[str, Any] | None = None,
    *,
    config_file: str | None = None,
    attributes: Mapping[str, str] | None = None,
) -> Settings | None:
    """The settings a client should use, or None when nothing was configured.

    A :class:`Settings` is used as given. Otherwise config keys are layered, later ones
    winning: the JSON ``config_file`` (or the file the ``data-config`` attribute names), then
    the ``data-*`` ``attributes``, then the ``settings`` mapping. None is a valid answer: such
    a client can still finish a login on a callback page and use an existing session.
    """
    if isinstance(settings, Settings):
        return settings
    attributes = attributes or {}
    config_file = config_file or attributes.get(CONFIG_ATTRIBUTE) or None
    from_attributes = config_from_attributes(attributes)
    if config_file is None and not from_attributes and not settings:
        return None
    base = load_config_file(config_file) if config_file else {}
    return Settings.from_mapping({**base, **from_attributes, **(settings or {})})


def is_callback_url(url: str) -> bool:
    """True when ``url`` carries what Speckle appends on the way back (access code, denial)."""
    from urllib.parse import parse_qsl, urlsplit

    return any(key in CALLBACK_PARAMS for key, _ in parse_qsl(urlsplit(url).query))


async def finish_login(client: SpeckleClient | None = None) -> CallbackResult:
    """On a callback page: finish the login, then go back to where it started.

    The callback page replaces itself in history, so "Back" never returns to it. Errors
    (:class:`~pyapp.errors.LoginDenied`, :class:`~pyapp.errors.ExchangeRejected`, …) are
    raised for the page to show; :func:`pyapp.messages.message_for` words them.
    """
    if client is None:
        from .browser import make_client

        client = make_client(None)
    return await client.finish_login()


def enable_sync_http() -> None:
    """Make ``urllib.request`` (and ``requests``, if the page loads it) work in the browser.

    Needs the ``pyodide-http`` wheel unpacked by the page's PyScript config::

        [files]
        "<path>/runtime/wheels/pyodide_http-0.2.2-py3-none-any.whl" = "./*"

    Requests then go through synchronous ``XMLHttpRequest``: they block the page while they
    run, so keep them few and small (the async :meth:`SpeckleClient.query` does not block).
    """
    try:
        import pyodide_http
    except ImportError:
        raise ImportError(
            "pyodide_http is not available: unpack its wheel with [files] in the page's "
            "PyScript config (see enable_sync_http's docstring)."
        ) from None
    pyodide_http.patch_all()
