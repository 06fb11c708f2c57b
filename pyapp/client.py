"""``SpeckleClient``: the session manager a page (or a site author) talks to.

It sits above the pure protocol (``flow``, ``protocol``, ``graphql``) and below the page UI,
like oidc-client-ts's ``UserManager``: it owns the stores, knows who is signed in, refreshes
a rejected token when it can, and tells listeners when the session changes. Platform access
comes in through the small interfaces of ``pyapp.ports``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from . import flow, protocol
from .config import Settings
from .errors import MissingScope, NotSignedIn, SessionExpired, SpeckleAuthError
from .graphql import graphql_request, read_graphql_response
from .ports import Crypto, Http, Navigator, Storage
from .speckle_api import (
    PAGE_SIZE,
    PROJECTS_QUERY,
    USER_QUERY,
    VIEWER_QUERY,
    ProjectPage,
    UserProfile,
    Viewer,
    parse_projects,
    parse_user,
    parse_viewer,
)
from .stores import Session, SessionStore, TransactionStore

Listener = Callable[[Session | None], None]


class SpeckleClient:
    """Log in to Speckle, know who is signed in, call the API, log out."""

    def __init__(
        self,
        settings: Settings | None,
        *,
        crypto: Crypto,
        http: Http,
        navigator: Navigator,
        session_storage: Storage,
        local_storage: Storage,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self._crypto = crypto
        self._http = http
        self._navigator = navigator
        self._clock = clock
        self._transactions = TransactionStore(session_storage)
        self._sessions = SessionStore(session_storage, local_storage)
        self._listeners: list[Listener] = []

    # -- who is signed in -------------------------------------------------------------

    @property
    def session(self) -> Session | None:
        """The stored session, read fresh each time (another tab may have changed it)."""
        return self._sessions.load()

    @property
    def signed_in(self) -> bool:
        return self.session is not None

    def auth_headers(self) -> dict[str, str]:
        """``{"Authorization": "Bearer …"}`` for your own requests to the Speckle server."""
        return {"Authorization": f"Bearer {self._require_session().token}"}

    def on_change(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(session_or_None)`` on sign-in and sign-out; returns an unsubscribe."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def notify(self) -> None:
        """Tell listeners the current session (also used when another tab changed it)."""
        session = self.session
        for listener in list(self._listeners):
            listener(session)

    # -- login ----------------------------------------------------------------------

    async def login(self, return_to: str | None = None) -> None:
        """Start a login and leave for Speckle's consent page.

        ``return_to`` (same origin only) is where the callback sends the user back;
        by default the current page.
        """
        if self.settings is None:
            raise NotSignedIn("No server and app are configured.")
        here = self._navigator.current_url()
        target = flow.safe_return_to(return_to or here, here, fallback=here)
        url = await flow.start_login(
            self.settings, self._crypto, self._transactions, target, self._clock()
        )
        self._navigator.go(url)

    async def complete_login(self) -> flow.CallbackResult:
        """On the callback page: finish the login the address bar reports."""
        result = await flow.complete_login(
            self._navigator.current_url(),
            self._http,
            self._navigator,
            self._transactions,
            self._sessions,
            self._clock(),
        )
        if result.new_login:
            self.notify()
        return result

    # -- API calls ----------------------------------------------------------------------

    async def query(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run a GraphQL query as the signed-in user and return its ``data``.

        A rejected token is refreshed once when a refresh token and app secret exist;
        otherwise (or if that fails) the session is cleared and
        :class:`~pyapp.errors.SessionExpired` raised.
        """
        session = self._require_session()
        try:
            return await self._query_as(session, query, variables)
        except SessionExpired:
            refreshed = await self._refresh(session)
            if refreshed is None:
                self._forget()
                raise
        try:
            return await self._query_as(refreshed, query, variables)
        except SessionExpired:
            self._forget()
            raise

    async def viewer(self) -> Viewer:
        """Server, profile and the first page of projects in one request."""
        return parse_viewer(await self.query(VIEWER_QUERY, {"limit": PAGE_SIZE}))

    async def user(self) -> UserProfile | None:
        """The signed-in user's profile, or None when nobody is signed in.

        Without the ``profile:email`` scope the server withholds the e-mail address; the rest
        of the profile is still returned (``email`` is then None).
        """
        if not self.signed_in:
            return None
        try:
            data = await self.query(USER_QUERY)
        except MissingScope as error:
            data = error.data or {}
        return parse_user(data.get("activeUser"))

    async def projects(self, cursor: str | None = None, limit: int = PAGE_SIZE) -> ProjectPage:
        """A page of the user's projects, newest first; pass the previous page's cursor."""
        page = parse_projects(await self.query(PROJECTS_QUERY, {"limit": limit, "cursor": cursor}))
        return page or ProjectPage(0, None, [])

    async def _query_as(
        self, session: Session, query: str, variables: dict[str, Any] | None
    ) -> dict[str, Any]:
        response = await self._http.send(
            graphql_request(session.server_url, query, variables, session.token)
        )
        return read_graphql_response(response)

    async def _refresh(self, session: Session) -> Session | None:
        if not (session.refresh_token and session.app_secret):
            return None
        try:
            tokens = protocol.read_token_response(
                await self._http.send(
                    protocol.refresh_request(
                        session.server_url,
                        session.app_id,
                        session.app_secret,
                        session.refresh_token,
                    )
                )
            )
        except SpeckleAuthError:
            return None
        if self.session != session:  # logged out (or in again) meanwhile: do not resurrect
            return None
        refreshed = replace(
            session, token=tokens.token, refresh_token=tokens.refresh_token or session.refresh_token
        )
        self._sessions.save(refreshed)
        return refreshed

    # -- logout ----------------------------------------------------------------------

    async def logout(self) -> None:
        """Forget the session here (at once), then ask the server to revoke the token.

        Local state is cleared first and unconditionally; the server call is best effort,
        since a user who clicked "Log out" must be logged out even if the server is down.
        """
        session = self.session
        self._forget()
        if session is None:
            return
        with contextlib.suppress(SpeckleAuthError):
            await self._http.send(
                protocol.logout_request(session.server_url, session.token, session.refresh_token)
            )

    def _forget(self) -> None:
        self._sessions.clear_all()
        self.notify()

    def _require_session(self) -> Session:
        session = self.session
        if session is None:
            raise NotSignedIn("Nobody is signed in.")
        return session
