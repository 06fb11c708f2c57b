"""What pyapp keeps in Web Storage, under namespaced keys.

* the login *transaction* (verifier, challenge segment, server, app, where to return):
  always ``sessionStorage`` — it belongs to the tab that started the login, and it is
  one-time: :meth:`TransactionStore.take` reads **and deletes** it synchronously, so the
  caller has removed it before its first ``await``.
* the *session* (server, app, tokens): ``sessionStorage`` by default, ``localStorage`` when
  the site asks to stay signed in.

Every key starts with :data:`NAMESPACE`, so logging out can remove exactly what we wrote.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any, TypeVar

from .config import Dialect, StorageKind
from .ports import Storage

NAMESPACE = "speckle-login:"
TRANSACTION_KEY = NAMESPACE + "transaction"
SESSION_KEY = NAMESPACE + "session"
# A login left unfinished for longer than this is treated as absent: Speckle's access codes
# live ten minutes, so an older transaction can only fail.
TRANSACTION_MAX_AGE_SECONDS = 30 * 60

_T = TypeVar("_T", "LoginTransaction", "Session")


def _load(cls: type[_T], raw: str | None) -> _T | None:
    """Decode a stored JSON record; anything malformed counts as absent."""
    if not raw:
        return None
    try:
        data: Any = json.loads(raw)
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})
    except (ValueError, TypeError, AttributeError):
        return None


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


@dataclass(frozen=True)
class Session:
    """A signed-in user's credentials for one server and app."""

    server_url: str
    app_id: str
    token: str
    refresh_token: str | None
    app_secret: str | None
    dialect: Dialect
    storage: StorageKind
    created_at: float


class TransactionStore:
    """The one-time login transaction in ``sessionStorage``."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    def save(self, txn: LoginTransaction) -> None:
        self._storage.set(TRANSACTION_KEY, json.dumps(asdict(txn)))

    def take(self, now: float) -> LoginTransaction | None:
        """Read and delete the transaction in one synchronous step.

        Deleting first means a reload, a second tab or a replayed callback can never use
        the same verifier twice, whatever happens after the caller's next ``await``.
        """
        raw = self._storage.get(TRANSACTION_KEY)
        self._storage.remove(TRANSACTION_KEY)
        txn = _load(LoginTransaction, raw)
        if txn is None or now - txn.created_at > TRANSACTION_MAX_AGE_SECONDS:
            return None
        return txn

    def discard(self) -> None:
        self._storage.remove(TRANSACTION_KEY)


class SessionStore:
    """The signed-in session, in whichever storage the site chose."""

    def __init__(self, session_storage: Storage, local_storage: Storage) -> None:
        self._by_kind: dict[str, Storage] = {"session": session_storage, "local": local_storage}

    def load(self) -> Session | None:
        """The current session; the tab's own (sessionStorage) wins over a persisted one."""
        for kind in ("session", "local"):
            session = _load(Session, self._by_kind[kind].get(SESSION_KEY))
            if session is not None and session.token:
                return session
        return None

    def save(self, session: Session) -> None:
        # Only one place may hold a session, or logging out in one would leave the other.
        for kind, storage in self._by_kind.items():
            if kind != session.storage:
                storage.remove(SESSION_KEY)
        self._by_kind[session.storage].set(SESSION_KEY, json.dumps(asdict(session)))

    def clear_all(self) -> None:
        """Remove every key pyapp wrote, in both storages (logout)."""
        for storage in self._by_kind.values():
            for key in storage.keys():  # noqa: SIM118 - Storage.keys(), not a dict
                if key.startswith(NAMESPACE):
                    storage.remove(key)
