"""Settings of a login client and the checks that keep bad ones from reaching a redirect.

A server URL is refused before anything is stored or any navigation happens when it is not
``https``, or plain ``http`` to a loopback host (``localhost``, ``127.0.0.0/8``, ``[::1]``).
Insecure choices are spelled out by name (``allow_insecure_http``), as oauth4webapi does.
"""

from __future__ import annotations

# urllib.parse is imported where it is used: with the ipaddress module it pulls in, it
# costs ~70 ms of a page's start-up in Pyodide, and a signed-out page never needs it.
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

from .errors import InvalidConfiguration

Dialect = Literal["auto", "documented", "deployed"]
StorageKind = Literal["session", "local"]
LoginMode = Literal["redirect", "popup"]

DIALECTS: tuple[Dialect, ...] = ("auto", "documented", "deployed")
STORAGE_KINDS: tuple[StorageKind, ...] = ("session", "local")
LOGIN_MODES: tuple[LoginMode, ...] = ("redirect", "popup")
# Speckle app IDs are URL path segments; anything else would change the authorize URL's shape.
# Schemes that are never a server (``localhost:3000`` also parses with a "scheme").
_NON_WEB_SCHEMES = frozenset({"javascript", "data", "vbscript", "file", "blob", "about"})
_APP_ID_RE = re.compile(r"^[A-Za-z0-9._~-]{1,128}$")


def is_loopback_host(host: str) -> bool:
    """True for hosts that never leave this machine (safe for plain http)."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        import ipaddress  # imported here: it is slow to import and only needed on login

        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalize_server_url(raw: str, *, allow_insecure_http: bool = False) -> str:
    """Validate a Speckle server URL and return it as ``scheme://host[:port][/path]``.

    Lower-cases scheme and host, drops default ports and trailing slashes. Raises
    :class:`InvalidConfiguration` with a message meant for the person who typed it.
    """
    from urllib.parse import urlsplit, urlunsplit

    text = (raw or "").strip()
    if not text:
        raise InvalidConfiguration(
            "Enter the URL of your Speckle server, e.g. https://app.speckle.systems."
        )
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme in _NON_WEB_SCHEMES or ("://" in text and scheme not in ("http", "https")):
        raise InvalidConfiguration(
            f"A Speckle server URL must start with https:// (got “{scheme}:”)."
        )
    if scheme not in ("http", "https") or not parts.netloc:
        raise InvalidConfiguration(
            f"“{text}” is not a full URL. Include the scheme, e.g. https://{text.lstrip('/')}."
        )
    if parts.username or parts.password:
        raise InvalidConfiguration("The server URL must not contain a user name or password.")
    if parts.query or parts.fragment:
        raise InvalidConfiguration("The server URL must not contain ? or # parts.")
    host = (parts.hostname or "").lower()
    if not host:
        raise InvalidConfiguration(f"“{text}” has no host name.")
    try:
        port = parts.port
    except ValueError as exc:
        raise InvalidConfiguration(f"“{text}” has an invalid port.") from exc
    if scheme == "http" and not allow_insecure_http and not is_loopback_host(host):
        raise InvalidConfiguration(
            "Plain http:// is only allowed for servers on this machine (localhost). "
            "Use https:// so the sign-in cannot be intercepted."
        )
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != {"http": 80, "https": 443}[scheme]:
        netloc = f"{netloc}:{port}"
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), "", ""))


def validate_app_id(raw: str) -> str:
    """Return the trimmed app ID or raise :class:`InvalidConfiguration`."""
    app_id = (raw or "").strip()
    if not app_id:
        raise InvalidConfiguration(
            "Enter the App ID of the application registered on your Speckle server."
        )
    if not _APP_ID_RE.match(app_id):
        raise InvalidConfiguration(
            "The App ID may only contain letters, digits, '.', '_', '~' and '-'."
        )
    return app_id


@dataclass(frozen=True)
class Settings:
    """Everything a client needs to know about the server and the registered app.

    ``app_secret`` is optional: deployed Speckle servers require it for their token
    endpoint. In a browser it *identifies* the app and protects nothing, since anyone can
    read the page. ``dialect`` pins the token endpoint (``documented`` = ``/oauth/token``,
    ``deployed`` = ``/auth/token``) or lets the client probe (``auto``). ``login_mode``
    says how a login shows Speckle's consent page: ``redirect`` (this page leaves) or
    ``popup``; None leaves the choice to the page (the app: redirect; the widget: popup).
    """

    server_url: str
    app_id: str
    app_secret: str | None = None
    dialect: Dialect = "auto"
    storage: StorageKind = "session"
    allow_insecure_http: bool = False
    login_mode: LoginMode | None = None

    def validated(self) -> Settings:
        """A copy with the URL normalised; raises :class:`InvalidConfiguration` on bad values."""
        if self.dialect not in DIALECTS:
            raise InvalidConfiguration(f"dialect must be one of {', '.join(DIALECTS)}.")
        if self.storage not in STORAGE_KINDS:
            raise InvalidConfiguration(f"storage must be one of {', '.join(STORAGE_KINDS)}.")
        if self.login_mode is not None and self.login_mode not in LOGIN_MODES:
            raise InvalidConfiguration(f"loginMode must be one of {', '.join(LOGIN_MODES)}.")
        secret = (self.app_secret or "").strip() or None
        if self.dialect == "deployed" and not secret:
            raise InvalidConfiguration(
                "The deployed dialect (/auth/token) needs the app secret: add it, or choose "
                "another token endpoint."
            )
        return Settings(
            server_url=normalize_server_url(
                self.server_url, allow_insecure_http=self.allow_insecure_http
            ),
            app_id=validate_app_id(self.app_id),
            app_secret=secret,
            dialect=self.dialect,
            storage=self.storage,
            allow_insecure_http=self.allow_insecure_http,
            login_mode=self.login_mode,
        )

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Settings:
        """Build from a config file's keys (``serverUrl``, ``appId``, ``appSecret``,
        ``dialect``, ``storage``, ``allowInsecureHttp``, ``loginMode``); unknown keys are
        ignored."""
        return cls(
            server_url=str(data.get("serverUrl") or ""),
            app_id=str(data.get("appId") or ""),
            app_secret=str(data.get("appSecret") or "") or None,
            dialect=cast(Dialect, str(data.get("dialect") or "auto")),
            storage=cast(StorageKind, str(data.get("storage") or "session")),
            allow_insecure_http=bool(data.get("allowInsecureHttp", False)),
            login_mode=cast(LoginMode, str(data["loginMode"])) if data.get("loginMode") else None,
        )

    @classmethod
    def from_file(cls, path: str) -> Settings:
        """Read a JSON config file with :meth:`from_mapping`'s keys.

        In the browser ``path`` is in Python's file system: list the file under ``[files]``
        in the page's PyScript config. Raises :class:`InvalidConfiguration` when it is
        missing or not a JSON object.
        """
        return cls.from_mapping(load_config_file(path))

    @classmethod
    def from_attributes(
        cls, attributes: Mapping[str, str], base: Mapping[str, Any] | None = None
    ) -> Settings:
        """Build from an element's ``data-*`` attributes (see :func:`config_from_attributes`);
        they override the config keys in ``base``."""
        return cls.from_mapping({**(base or {}), **config_from_attributes(attributes)})


# ``data-*`` attribute (without the prefix) -> config key; booleans are parsed, not bool()-ed.
ATTRIBUTE_KEYS = {
    "server-url": "serverUrl",
    "app-id": "appId",
    "app-secret": "appSecret",
    "dialect": "dialect",
    "storage": "storage",
    "allow-insecure-http": "allowInsecureHttp",
    "login-mode": "loginMode",
}
_BOOLEAN_KEYS = frozenset({"allowInsecureHttp"})


def config_from_attributes(attributes: Mapping[str, str]) -> dict[str, Any]:
    """Config keys from ``data-*`` attributes such as ``data-server-url`` or ``data-app-id``.

    Accepts full attribute names (``data-app-id``), names without the prefix (``app-id``) or
    the camelCase keys of ``element.dataset`` (``appId``). Empty values are skipped, so an
    attribute left blank does not erase a value from the config file. Boolean attributes
    are true when present with no value or ``true``/``1``/``yes``.
    """
    config: dict[str, Any] = {}
    camel = {v: v for v in ATTRIBUTE_KEYS.values()}
    for name, raw in attributes.items():
        key = ATTRIBUTE_KEYS.get(name.lower().removeprefix("data-")) or camel.get(name)
        if key is None:
            continue
        value = str(raw).strip()
        if key in _BOOLEAN_KEYS:
            config[key] = value.lower() in ("", "true", "1", "yes")
        elif value:
            config[key] = value
    return config


def settings_editable(config: Mapping[str, Any]) -> bool:
    """True when the app page may show its settings form (``"editableSettings": true``).

    Only a JSON ``true`` counts: a site copied as it is, or a value typed as a string, keeps
    the server and app pinned, so no visitor can be talked into signing in at a server of
    someone else's choosing.
    """
    return config.get("editableSettings") is True


def load_config_file(path: str) -> dict[str, Any]:
    """A JSON config file as a dict; :class:`InvalidConfiguration` when unreadable."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError:
        raise InvalidConfiguration(
            f"The config file “{path}” was not found. In the browser, list it under [files] "
            "in the page's PyScript config."
        ) from None
    except ValueError:
        raise InvalidConfiguration(f"The config file “{path}” is not valid JSON.") from None
    if not isinstance(data, dict):
        raise InvalidConfiguration(f"The config file “{path}” must hold a JSON object.")
    return data
