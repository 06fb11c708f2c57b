"""Settings of a login client and the checks that keep bad ones from reaching a redirect.

A server URL is refused before anything is stored or any navigation happens when it is not
``https``, or plain ``http`` to a loopback host (``localhost``, ``127.0.0.0/8``, ``[::1]``),
judged on what the browser's URL parser says (``server_url``). Insecure choices are spelled
out by name (``allow_insecure_http``), as oauth4webapi does. Values are typed strictly: a
wrong type is refused, never coerced (``bool("false")`` is True).
"""

from __future__ import annotations

# urllib.parse is imported where it is used (why: pyapp.page_urls).
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

from . import safe_json
from .errors import InvalidConfiguration
from .notices import notice
from .server_url import check_server_url

Dialect = Literal["auto", "documented", "deployed"]
StorageKind = Literal["session", "local"]
LoginMode = Literal["redirect", "popup"]

DIALECTS: tuple[Dialect, ...] = ("auto", "documented", "deployed")
STORAGE_KINDS: tuple[StorageKind, ...] = ("session", "local")
LOGIN_MODES: tuple[LoginMode, ...] = ("redirect", "popup")
# Speckle app IDs are URL path segments; anything else would change the authorize URL's shape.
_APP_ID_RE = re.compile(r"^[A-Za-z0-9._~-]{1,128}$")
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})

#: Every key a config file or mapping may hold, and the ``Settings`` field it fills.
CONFIG_KEYS = {
    "serverUrl": "server_url",
    "appId": "app_id",
    "appSecret": "app_secret",
    "dialect": "dialect",
    "storage": "storage",
    "allowInsecureHttp": "allow_insecure_http",
    "loginMode": "login_mode",
    "refreshTokenInLocalStorage": "refresh_token_in_local_storage",
}


#: Keys of the site's config.json that other parts of the site read, not Settings.
# fastStart: read by fast-start.mjs (false turns the snapshot off); editableSettings: read by
# the app page (true shows the settings form, see settings_editable); language and words: the
# visitor's language and the site's own texts (pyapp.words).
SITE_KEYS = frozenset({"fastStart", "editableSettings", "language", "words"})


def parse_flag(value: Any, key: str = "allowInsecureHttp") -> bool:
    """A yes/no setting: a JSON boolean, or ``true``/``false``, ``1``/``0``, ``yes``/``no``,
    ``on``/``off`` as text. Anything else is an :class:`InvalidConfiguration`, never a guess
    (``bool("false")`` is True)."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise InvalidConfiguration("not_a_flag", key, got=_describe(value))


def _text(data: Mapping[str, Any], key: str) -> str | None:
    """A text setting, or None when absent/empty; another type is a configuration error."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidConfiguration("not_text", key, got=_describe(value))
    return value or None


def _describe(value: Any) -> str:
    kind = {bool: "a boolean", int: "a number", float: "a number", list: "a list",
            dict: "an object"}.get(type(value))
    return kind or ("text" if isinstance(value, str) else type(value).__name__)


def report_unknown_keys(data: Mapping[str, Any]) -> list[str]:
    """Warn (in the browser: in the console) about keys no setting reads, likely typos."""
    unknown = sorted(str(key) for key in data if key not in CONFIG_KEYS and key not in SITE_KEYS)
    if unknown:
        notice(f"unknown config key(s) ignored: {', '.join(unknown)} "
               f"(known: {', '.join(CONFIG_KEYS)})")
    return unknown


def validate_app_id(raw: str) -> str:
    """Return the trimmed app ID or raise :class:`InvalidConfiguration`."""
    if raw is not None and not isinstance(raw, str):
        raise InvalidConfiguration("not_text", "appId", got=_describe(raw))
    app_id = (raw or "").strip()
    if not app_id:
        raise InvalidConfiguration("missing", "appId")
    if not _APP_ID_RE.match(app_id):
        raise InvalidConfiguration("bad_characters", "appId")
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

    #: The Speckle server, ``https://…`` (plain ``http://`` only to this machine).
    server_url: str
    #: The App ID of the app registered on that server.
    app_id: str
    #: The app's secret, which deployed servers' ``/auth/token`` requires.
    app_secret: str | None = None
    #: Which token endpoint: ``"auto"``, ``"documented"`` or ``"deployed"``.
    dialect: Dialect = "auto"
    #: Where the session is kept: ``"session"`` (this tab) or ``"local"`` (stay signed in).
    storage: StorageKind = "session"
    #: Allow plain ``http://`` to any server; for a closed test network only.
    allow_insecure_http: bool = False
    #: ``"redirect"`` or ``"popup"``; None leaves the choice to the page.
    login_mode: LoginMode | None = None
    #: With ``storage="local"``: keep the refresh token (and app secret) in ``localStorage``
    #: as well, so every tab can refresh. Off by default: any page of the origin can read
    #: ``localStorage``, and a refresh token read there outlives the visitor's "Log out".
    refresh_token_in_local_storage: bool = False

    def validated(self) -> Settings:
        """A copy with the URL normalised; raises :class:`InvalidConfiguration` on bad values."""
        for key in ("serverUrl", "appId"):
            value = getattr(self, CONFIG_KEYS[key])
            if not isinstance(value, str):
                raise InvalidConfiguration("not_text", key, got=_describe(value))
        if self.app_secret is not None and not isinstance(self.app_secret, str):
            raise InvalidConfiguration("not_text", "appSecret", got=_describe(self.app_secret))
        for key in _BOOLEAN_KEYS:
            value = getattr(self, CONFIG_KEYS[key])
            if not isinstance(value, bool):
                raise InvalidConfiguration("not_a_flag", key, got=_describe(value))
        if self.dialect not in DIALECTS:
            raise InvalidConfiguration("not_one_of", "dialect", allowed=DIALECTS)
        if self.storage not in STORAGE_KINDS:
            raise InvalidConfiguration("not_one_of", "storage", allowed=STORAGE_KINDS)
        if self.login_mode is not None and self.login_mode not in LOGIN_MODES:
            raise InvalidConfiguration("not_one_of", "loginMode", allowed=LOGIN_MODES)
        secret = (self.app_secret or "").strip() or None
        if self.dialect == "deployed" and not secret:
            raise InvalidConfiguration("secret_needed", "appSecret")
        return Settings(
            server_url=check_server_url(
                self.server_url, allow_insecure_http=self.allow_insecure_http
            ),
            app_id=validate_app_id(self.app_id),
            app_secret=secret,
            dialect=self.dialect,
            storage=self.storage,
            allow_insecure_http=self.allow_insecure_http,
            login_mode=self.login_mode,
            refresh_token_in_local_storage=self.refresh_token_in_local_storage,
        )

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Settings:
        """Build from a config file's keys (:data:`CONFIG_KEYS`).

        Types are strict: text settings must be text, ``allowInsecureHttp`` a boolean (or
        ``"true"``/``"false"``, ``"1"``/``"0"``, ``"yes"``/``"no"``); anything else raises
        :class:`InvalidConfiguration`. Unknown keys are reported in the console (a typo
        would otherwise fall back to a default silently) and otherwise ignored.
        """
        if not isinstance(data, Mapping):
            raise InvalidConfiguration("not_an_object", got=_describe(data))
        report_unknown_keys(data)
        return cls(
            server_url=_text(data, "serverUrl") or "",
            app_id=_text(data, "appId") or "",
            app_secret=_text(data, "appSecret"),
            dialect=cast(Dialect, _text(data, "dialect") or "auto"),
            storage=cast(StorageKind, _text(data, "storage") or "session"),
            allow_insecure_http=parse_flag(data.get("allowInsecureHttp")),
            login_mode=cast("LoginMode | None", _text(data, "loginMode")),
            refresh_token_in_local_storage=parse_flag(
                data.get("refreshTokenInLocalStorage"), "refreshTokenInLocalStorage"),
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
    "refresh-token-in-local-storage": "refreshTokenInLocalStorage",
}
_BOOLEAN_KEYS = frozenset({"allowInsecureHttp", "refreshTokenInLocalStorage"})


def config_from_attributes(attributes: Mapping[str, str]) -> dict[str, Any]:
    """Config keys from ``data-*`` attributes such as ``data-server-url`` or ``data-app-id``.

    Accepts full attribute names (``data-app-id``), names without the prefix (``app-id``) or
    the camelCase keys of ``element.dataset`` (``appId``). Empty values are skipped, so an
    attribute left blank does not erase a value from the config file. A boolean attribute
    present with no value is true; otherwise it is read by :func:`parse_flag`.
    """
    config: dict[str, Any] = {}
    camel = {v: v for v in ATTRIBUTE_KEYS.values()}
    for name, raw in attributes.items():
        key = ATTRIBUTE_KEYS.get(name.lower().removeprefix("data-")) or camel.get(name)
        if key is None:
            continue
        value = str(raw).strip()
        if key in _BOOLEAN_KEYS:
            config[key] = True if value == "" else parse_flag(value, key)
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
            data = safe_json.loads(f.read())
    except OSError:
        raise InvalidConfiguration("file_missing", value=path) from None
    except ValueError:
        raise InvalidConfiguration("file_not_json", value=path) from None
    if not isinstance(data, dict):
        raise InvalidConfiguration("file_not_an_object", value=path)
    return data
