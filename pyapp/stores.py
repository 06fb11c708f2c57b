"""What pyapp keeps in Web Storage, under namespaced keys.

* the login *transaction* (verifier, challenge segment, server, app, where to return):
  always ``sessionStorage`` — it belongs to the tab that started the login, and it is
  one-time: :meth:`TransactionStore.take` reads **and deletes** it synchronously, so the
  caller has removed it before its first ``await``.
* the *session* (server, app, tokens): ``sessionStorage`` by default. When the visitor
  stays signed in (``storage: "local"``), ``localStorage`` holds the access token only, so
  that other tabs and later visits are signed in; the refresh token and the app secret stay
  in this tab's ``sessionStorage``. ``localStorage`` is readable by every page of the
  origin, and a refresh token read there mints new tokens that the visitor's "Log out"
  does not revoke, while the access token dies with it. A site owner who wants refreshes in
  every tab says so by name (``refreshTokenInLocalStorage``).

Every key starts with :data:`NAMESPACE`, so logging out can remove exactly what we wrote.
"""

from __future__ import annotations

import json
from dataclasses import MISSING, asdict, dataclass, fields, replace
from typing import Any, Generic, NamedTuple, TypeVar

from . import safe_json
from .config import DIALECTS, STORAGE_KINDS, Dialect, StorageKind
from .errors import DroppedReason, SessionDropped
from .notices import notice
from .ports import Storage
from .protocol import is_token_shaped

NAMESPACE = "speckle-login:"
TRANSACTION_KEY = NAMESPACE + "transaction"
SESSION_KEY = NAMESPACE + "session"
# A login left unfinished for longer than this is treated as absent: Speckle's access codes
# live ten minutes, so an older transaction can only fail.
TRANSACTION_MAX_AGE_SECONDS = 30 * 60
#: The shape of the records written now, stored as ``"v"`` in each. Records without it were
#: written before versions existed (same fields: migrated); a record of a newer version or
#: that fails its checks is removed, and the console says so.
SCHEMA_VERSION = 1
# A record claiming to be from further in the future than this is not trusted.
_CLOCK_SKEW_SECONDS = 5 * 60

_T = TypeVar("_T", "LoginTransaction", "Session")

# How each annotated field type is checked when a record is read back.
_CHECKS: dict[str, Any] = {
    "str": lambda v: isinstance(v, str),
    "str | None": lambda v: v is None or isinstance(v, str),
    "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "Dialect": lambda v: v in DIALECTS,
    "StorageKind": lambda v: v in STORAGE_KINDS,
    "bool": lambda v: isinstance(v, bool),
}


def _dump(record: LoginTransaction | Session) -> str:
    return json.dumps({"v": SCHEMA_VERSION, **asdict(record)})


class _Decoded(NamedTuple, Generic[_T]):
    record: _T | None
    ok: bool  # False: the stored text must be removed (a notice said why)
    version: Any = SCHEMA_VERSION
    why: DroppedReason = "not_a_record"  # when not ok: why it is removed


def _decode(cls: type[_T], raw: str | None, what: str) -> _Decoded[_T]:
    """What ``raw`` holds: a record, nothing (absent), or something to remove."""
    if not raw:
        return _Decoded(None, True)
    try:
        data: Any = safe_json.loads(raw)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        notice(f"removed a stored {what} that is not a record")
        return _Decoded(None, False, None, "not_a_record")
    version = data.pop("v", 0)
    if not isinstance(version, int) or isinstance(version, bool) or version > SCHEMA_VERSION:
        notice(f"removed a stored {what} of schema version {version!r}; this version of "
               f"pyapp reads up to {SCHEMA_VERSION}")
        return _Decoded(None, False, version, "newer_schema")
    names = {f.name: str(f.type) for f in fields(cls)}
    required = {f.name for f in fields(cls) if f.default is MISSING}
    if not required <= set(data) <= set(names) or not all(
            _CHECKS[names[k]](v) for k, v in data.items()):
        notice(f"removed a stored {what} (schema version {version}) whose fields are wrong")
        return _Decoded(None, False, version, "wrong_fields")
    record = cls(**data)
    if not record.is_sane():
        notice(f"removed a stored {what} whose values cannot be used")
        return _Decoded(None, False, version, "unusable_values")
    return _Decoded(record, True, version)


@dataclass(frozen=True)
class LoginTransaction:
    """One login in flight, created before leaving for Speckle, consumed by the callback."""

    verifier: str
    segment: str
    server_url: str
    app_id: str
    app_secret: str | None
    dialect: Dialect
    storage: StorageKind
    return_to: str
    created_at: float
    #: The popup login this belongs to (its callback message must name it); None: redirect.
    login_id: str | None = None
    #: The site's ``refreshTokenInLocalStorage``, for the session this login makes.
    refresh_token_at_rest: bool = False

    def is_sane(self) -> bool:
        return bool(self.verifier and self.server_url and self.app_id)

    def expired(self, now: float) -> bool:
        """Older than :data:`TRANSACTION_MAX_AGE_SECONDS`, or dated in the future."""
        age = now - self.created_at
        return age > TRANSACTION_MAX_AGE_SECONDS or age < -_CLOCK_SKEW_SECONDS


@dataclass(frozen=True)
class Session:
    """A signed-in user's credentials for one server and app.

    Read it from :attr:`~pyapp.client.SpeckleClient.session`; never show or log its
    tokens.
    """

    #: The Speckle server the session was made with (normalised, no trailing slash).
    server_url: str
    #: The app it was made for.
    app_id: str
    #: The access token, sent as ``Authorization: Bearer …``.
    token: str
    #: The refresh token; None where this tab does not hold it (another tab's login).
    refresh_token: str | None
    #: The app secret the login used, for refreshing (None without one).
    app_secret: str | None
    #: The token endpoint the login used.
    dialect: Dialect
    #: Where the session is kept: ``"session"`` or ``"local"``.
    storage: StorageKind
    #: When the login finished, in seconds since the epoch.
    created_at: float
    #: With ``storage="local"``: the site opted in to the refresh token in ``localStorage``.
    refresh_token_at_rest: bool = False

    def is_sane(self) -> bool:
        """Tokens that can travel in a header; a server and app to use them with."""
        return (is_token_shaped(self.token) and bool(self.server_url and self.app_id)
                and (self.refresh_token is None or is_token_shaped(self.refresh_token)))

    def belongs_to(self, server_url: str, app_id: str) -> bool:
        """True when this session was made for ``server_url`` (normalised) and ``app_id``."""
        return (self.server_url, self.app_id) == (server_url, app_id)


class TransactionStore:
    """The one-time login transaction in ``sessionStorage``."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    def save(self, txn: LoginTransaction) -> None:
        self._storage.set(TRANSACTION_KEY, _dump(txn))

    def take(self, now: float) -> LoginTransaction | None:
        """Read and delete the transaction in one synchronous step.

        Deleting first means a reload, a second tab or a replayed callback can never use
        the same verifier twice, whatever happens after the caller's next ``await``.
        """
        raw = self._storage.get(TRANSACTION_KEY)
        self._storage.remove(TRANSACTION_KEY)
        txn = _decode(LoginTransaction, raw, "login").record
        if txn is None or txn.expired(now):
            return None
        return txn

    def purge(self, now: float) -> bool:
        """Remove the transaction if it is past its lifetime or unreadable (its verifier and
        app secret should not outlive the login). Called whenever a page starts; True when
        something was removed."""
        txn, ok, *_ = _decode(LoginTransaction, self._storage.get(TRANSACTION_KEY), "login")
        if ok and (txn is None or not txn.expired(now)):
            return False
        self._storage.remove(TRANSACTION_KEY)
        return True

    def discard(self) -> None:
        self._storage.remove(TRANSACTION_KEY)


class SessionStore:
    """The signed-in session, in whichever storage the site chose."""

    def __init__(self, session_storage: Storage, local_storage: Storage) -> None:
        self._by_kind: dict[str, Storage] = {"session": session_storage, "local": local_storage}
        #: The stored session this store found unusable and removed, when no session has
        #: been stored or cleared since: the person was signed out and should be told.
        self.dropped: SessionDropped | None = None

    def _read(self, kind: str) -> tuple[Session | None, SessionDropped | None]:
        """The session stored in ``kind``; an unusable one is removed (a notice says why)."""
        storage = self._by_kind[kind]
        session, ok, version, why = _decode(Session, storage.get(SESSION_KEY), "session")
        if not ok:
            storage.remove(SESSION_KEY)
            return None, SessionDropped(why, version)
        if session is not None and version < SCHEMA_VERSION:
            storage.set(SESSION_KEY, _dump(session))  # migrated to the current schema
            notice(f"updated the stored session from schema version {version} "
                   f"to {SCHEMA_VERSION}")
        return session, None

    def load(self) -> Session | None:
        """The current session; the tab's own (sessionStorage) wins over a persisted one.

        A record written before schema versions existed is rewritten with its version;
        one that cannot be used is removed (a console notice says why, and :attr:`dropped`
        says it happened), never left to fail on every page load. This tab's copy of a
        "stay signed in" session is forgotten once ``localStorage`` no longer holds one:
        the visitor logged out in another tab.
        """
        own, dropped = self._read("session")
        if own is not None and own.storage != "local":
            return own
        kept, dropped_kept = self._read("local")
        dropped = dropped or dropped_kept
        if own is not None and kept is None:
            self._by_kind["session"].remove(SESSION_KEY)
            own = None
        session = own or kept
        if session is None and dropped is not None:  # the person is signed out
            self.dropped = dropped
        return session

    def save(self, session: Session) -> None:
        # One session at a time: logging out must find every copy.
        ss, ls = self._by_kind["session"], self._by_kind["local"]
        if session.storage == "local":
            at_rest = session if session.refresh_token_at_rest else replace(
                session, refresh_token=None, app_secret=None)
            ls.set(SESSION_KEY, _dump(at_rest))
        else:
            ls.remove(SESSION_KEY)
        ss.set(SESSION_KEY, _dump(session))
        self.dropped = None

    def clear_all(self) -> None:
        """Remove every key pyapp wrote, in both storages (logout)."""
        for storage in self._by_kind.values():
            for key in storage.keys():  # noqa: SIM118 - Storage.keys(), not a dict
                if key.startswith(NAMESPACE):
                    storage.remove(key)
        self.dropped = None
