"""``SpeckleClient``: the session manager a page (or a site author) talks to.

It sits above the pure protocol (``flow``, ``protocol``, ``graphql``) and below the page UI,
like oidc-client-ts's ``UserManager``: it owns the stores, knows who is signed in, refreshes
a rejected token when it can, and tells listeners when the session changes. Platform access
comes in through the small interfaces of ``pyapp.ports``.

One path for every login: the client makes the authorize URL (``flow.start_login``), a
navigator (:mod:`pyapp.navigators`) takes the browser there and, for a popup, brings back the
callback URL, and the client takes the callback and exchanges the code (``flow``). A
redirect's callback is finished on the callback page (:meth:`SpeckleClient.complete_login`).
The client and its navigators are the only code that touches the address bar or navigates.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Coroutine
from dataclasses import replace
from typing import Any, TypeVar

from . import flow, page_urls, protocol
from .config import Settings
from .errors import (
    GraphQLError,
    InvalidConfiguration,
    MissingScope,
    NotAccessible,
    NotSignedIn,
    ObjectNotFound,
    ObjectsIncomplete,
    ObjectsMalformed,
    PopupBlocked,
    ServerUnavailable,
    SessionDropped,
    SessionExpired,
    SpeckleError,
    StorageUnavailable,
)
from .graphql import graphql_request, not_accessible, read_graphql_response
from .navigators import PendingPopup, PopupNavigator, RedirectNavigator
from .notices import notice
from .object_cache import MAX_ENTRY_BYTES, BodyRecorder, cache_key, is_complete
from .objects import (
    OBJECTS_ENDPOINT,
    ObjectLimits,
    ObjectStream,
    Progress,
    objects_request,
    resolve,
)
from .ports import (
    CacheUnavailable,
    Crypto,
    Http,
    HttpStream,
    Navigator,
    ObjectCache,
    Popups,
    Storage,
)
from .speckle_api import (
    MODELS_QUERY,
    PAGE_SIZE,
    PROJECT_ACCESS_QUERY,
    PROJECTS_QUERY,
    SERVER_PROBE_QUERY,
    USER_QUERY,
    VERSIONS_QUERY,
    VIEWER_QUERY,
    ModelPage,
    ProjectPage,
    UserProfile,
    VersionPage,
    Viewer,
    parse_models,
    parse_projects,
    parse_user,
    parse_versions,
    parse_viewer,
)
from .stores import Session, SessionStore, TransactionStore

Listener = Callable[[Session | None], None]
_T = TypeVar("_T")


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
        popups: Popups | None = None,
        object_cache: ObjectCache | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self._crypto = crypto
        self._http = http
        self._navigator = navigator
        self._clock = clock
        self._object_cache = object_cache
        # Counts sign-outs and cache clearings: a download kept while one happened is
        # removed again (see _keep).
        self._cache_generation = 0
        self._cache_warned = False
        self._transactions = TransactionStore(session_storage)
        self._sessions = SessionStore(session_storage, local_storage)
        self._listeners: list[Listener] = []
        self._redirect = RedirectNavigator(navigator)
        self._popup = (PopupNavigator(popups, on_cancel=self._transactions.discard,
                                      on_late_answer=self._take_late_answer)
                       if popups is not None else None)
        self._binding: tuple[Settings | None, tuple[str, str] | None] = (None, None)
        # Every page makes a client: an abandoned login's verifier and secret go now, not
        # whenever the next callback or logout happens. (Blocked storage holds nothing.)
        with contextlib.suppress(StorageUnavailable):
            self._transactions.purge(clock())

    # -- who is signed in -------------------------------------------------------------

    @property
    def session(self) -> Session | None:
        """The stored session, read fresh each time (another tab may have changed it).

        A client configured for a server and app sees only a session made for that server
        and app: a page set up for another one neither uses nor sends its token.
        """
        session = self._sessions.load()
        if session is None or self.settings is None:
            return session
        binding = self._bound_to()
        return session if binding is not None and session.belongs_to(*binding) else None

    def _bound_to(self) -> tuple[str, str] | None:
        """The normalised (server URL, app ID) of the settings; None when they are invalid."""
        settings, binding = self._binding
        if settings is not self.settings:
            try:
                valid = self.settings.validated() if self.settings else None
                binding = (valid.server_url, valid.app_id) if valid else None
            except InvalidConfiguration:
                binding = None
            self._binding = (self.settings, binding)
        return binding

    @property
    def signed_in(self) -> bool:
        """Whether someone is signed in (to this client's server and app, when it has
        settings)."""
        return self.session is not None

    @property
    def dropped_session(self) -> SessionDropped | None:
        """Why the person was signed out without logging out, when they were: a stored
        session this client found unusable (say, written by an older release) and removed.
        None once a session is stored or logged out of. A page tells the person with
        ``message_for(client.dropped_session)``."""
        with contextlib.suppress(StorageUnavailable):  # blocked storage holds nothing to drop
            self._sessions.load()  # a stored record is judged when it is first read
        return self._sessions.dropped

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

    def login(
        self,
        return_to: str | None = None,
        *,
        settings: Settings | None = None,
        popup: bool | None = None,
        fallback: bool = True,
    ) -> Coroutine[Any, Any, None]:
        """Log in: ``await client.login()``.

        **Redirect** (the default, or ``popup=False``): the page leaves for Speckle's consent
        page. The callback page brings the user back to ``return_to`` (same origin only; by
        default the current page).

        **Popup** (``popup=True``, or ``loginMode: "popup"`` in the settings when ``popup``
        is None): the consent page opens in a popup window. The returned awaitable ends once
        the session is stored and ``on_change`` listeners have fired.

        A popup login raises :class:`~pyapp.errors.LoginDenied`,
        :class:`~pyapp.errors.LoginCancelled` or an exchange error. When the browser blocks
        the popup, it becomes a redirect; with ``fallback=False`` it raises
        :class:`~pyapp.errors.PopupBlocked` instead.

        ``settings`` are this login's (by default the client's own). They never change which
        session the client sees. A client made for a server and app sees only sessions for
        them, so ``settings`` must name that server and app (else
        :class:`~pyapp.errors.InvalidConfiguration`, before anything is stored or opened);
        the rest may differ: secret, dialect, storage, login mode. A client made without
        settings sees whichever session is stored, so a login to any server shows as
        signed in (the app page's editable settings form works this way).

        Not a coroutine function on purpose: the popup opens *during this call*, before
        anything is awaited. Call it from the click handler itself (a plain ``def`` is the
        surest) so that it opens inside the click, as popup blockers require.
        """
        settings = self._login_settings(settings)
        use_popup = settings.login_mode == "popup" if popup is None else popup
        if not use_popup or self._popup is None:
            return self._redirect_login(settings, return_to)
        settings = settings.validated()  # refused before a window opens
        login_id = self._crypto.random_bytes(16).hex()  # also fails outside a secure context
        self.cancel_login()
        self._transactions.discard()  # the popup's copy of sessionStorage must not hold one
        pending = self._popup.open(login_id)
        if pending is None:
            if not fallback:
                raise PopupBlocked()
            return self._redirect_login(settings, return_to)
        return self._popup_login(settings, self._popup, pending)

    def _login_settings(self, settings: Settings | None) -> Settings:
        """The settings a login runs with: ``settings``, or the client's own."""
        if settings is None or self.settings is None:
            chosen = self.settings if settings is None else settings
            if chosen is None:
                raise NotSignedIn("not_configured")
            return chosen
        # A login this client would not see afterwards is refused, not made: its session
        # would sit in storage, signed in for no page that shows it.
        valid = settings.validated()
        if (valid.server_url, valid.app_id) != self._bound_to():
            raise InvalidConfiguration("not_this_clients", value=valid.server_url)
        return valid

    def on_popup_state(self, listener: Callable[[str], None]) -> Callable[[], None]:
        """Call ``listener(state)`` when a pending popup login's window is seen on Speckle's
        page (``"open"``: closing it will cancel the login) or is no longer observable
        (``"detached"``: the page cut the link to this one, so a closed window cannot be
        told from an open one and only Cancel or the time limit end the wait). Returns an
        unsubscribe function."""
        if self._popup is None:
            return lambda: None
        return self._popup.on_state(listener)

    @property
    def login_pending(self) -> bool:
        """True while a popup login waits for its answer."""
        return self._popup is not None and self._popup.pending is not None

    def cancel_login(self) -> None:
        """End a pending popup login: its popup closes and its ``login()`` raises
        :class:`~pyapp.errors.LoginCancelled`. Does nothing when none is pending."""
        if self._popup is not None:
            self._popup.cancel()

    async def _redirect_login(self, settings: Settings, return_to: str | None) -> None:
        here = self._navigator.current_url()
        target = page_urls.safe_return_to(return_to or here, here, fallback=here)
        url = await flow.start_login(
            settings, self._crypto, self._transactions, target, self._clock()
        )
        self._redirect.navigate(url)  # the callback page finishes the login

    async def _popup_login(self, settings: Settings, navigator: PopupNavigator,
                           pending: PendingPopup) -> None:
        here = self._navigator.current_url()

        def authorize_url() -> Coroutine[Any, Any, str]:
            return flow.start_login(settings, self._crypto, self._transactions, here,
                                    self._clock(), pending.login_id)

        url = await navigator.navigate(pending, authorize_url, here)
        # The synchronous half, before the next await: the transaction is gone from now on.
        callback = flow.take_callback(url, self._transactions, self._clock(), pending.login_id)
        await self._finish_popup_login(callback)

    async def _finish_popup_login(self, callback: flow.Callback) -> None:
        result = await flow.finish_callback(callback, self._http, self._sessions, self._clock())
        if result.new_login:
            self.notify()

    def _take_late_answer(self, login_id: str, url: str) -> None:
        """The answer of a popup login that already counted as cancelled, because its window
        read closed before it reached Speckle (a consent page with
        ``Cross-Origin-Opener-Policy`` cuts the link, and the window lives on). The login
        still completes: ``on_change`` listeners hear the new session. Its failures (a Deny,
        a refused exchange) change nothing the page shows: it already shows the login as
        cancelled."""
        callback = flow.take_callback(url, self._transactions, self._clock(), login_id)
        task = asyncio.ensure_future(self._finish_popup_login(callback))
        task.add_done_callback(_drop_login_failure)

    async def complete_login(self) -> flow.CallbackResult:
        """On the callback page: finish the login the address bar reports.

        The transaction is taken and ``access_code`` removed from the address bar before
        anything is awaited.
        """
        url = self._navigator.current_url()
        try:
            callback = flow.take_callback(url, self._transactions, self._clock())
        except StorageUnavailable:  # the code must leave the address bar all the same
            self._navigator.replace_url(page_urls.strip_callback_params(url))
            raise
        if callback.clean_url != callback.url:
            self._navigator.replace_url(callback.clean_url)
        result = await flow.finish_callback(callback, self._http, self._sessions, self._clock())
        if result.new_login:
            self.notify()
        return result

    async def finish_login(self) -> flow.CallbackResult:
        """:meth:`complete_login`, then back to the page the login started from, unless that
        is this very page (a page that is its own redirect URL stays, its address cleaned).
        This page is replaced in history, so "Back" never returns to it."""
        here = self._navigator.current_url()
        result = await self.complete_login()
        if not page_urls.same_page(result.return_to, here):
            self._navigator.go(result.return_to, replace=True)
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
                await self._forget_if_current(session)
                raise
        try:
            return await self._query_as(refreshed, query, variables)
        except SessionExpired:
            await self._forget_if_current(refreshed)
            raise

    async def viewer(self) -> Viewer:
        """Server, profile and the first page of projects in one request.

        When the token lacks a scope (say ``profile:email``), the server still answers the
        rest: that partial answer is returned, with ``missing_scope`` naming what was withheld.
        """
        try:
            data = await self.query(VIEWER_QUERY, {"limit": PAGE_SIZE})
        except MissingScope as error:
            return replace(parse_viewer(error.data or {}), missing_scope=error.scope)
        return parse_viewer(data)

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

    async def models(self, project_id: str, cursor: str | None = None,
                     limit: int = PAGE_SIZE) -> ModelPage:
        """A page of a project's models, most recently updated first; pass the previous
        page's cursor for the next (scope ``streams:read``).

        A project that does not exist, or that the user may not read, raises
        :class:`~pyapp.errors.NotAccessible`.
        """
        variables = {"projectId": project_id, "limit": limit, "cursor": cursor}
        data = await self._query_project(MODELS_QUERY, variables, project_id)
        return parse_models(data) or ModelPage(0, None, [])

    async def versions(self, project_id: str, model_id: str, cursor: str | None = None,
                       limit: int = PAGE_SIZE) -> VersionPage:
        """A page of a model's versions, newest first; pass the previous page's cursor for
        the next (scope ``streams:read``).

        A project or model that does not exist, or a project the user may not read, raises
        :class:`~pyapp.errors.NotAccessible`.
        """
        variables = {"projectId": project_id, "modelId": model_id, "limit": limit,
                     "cursor": cursor}
        data = await self._query_project(VERSIONS_QUERY, variables, project_id, model_id)
        return parse_versions(data) or VersionPage(0, None, [])

    async def _query_project(self, query: str, variables: dict[str, Any], project_id: str,
                             model_id: str | None = None) -> dict[str, Any]:
        """:meth:`query`, with Speckle's errors for an unreadable project or model typed."""
        try:
            return await self.query(query, variables)
        except GraphQLError as error:
            typed = not_accessible(error, project_id, model_id)
            if typed is None:
                raise
            raise typed from error

    # -- objects ------------------------------------------------------------------------

    async def objects(self, project_id: str, object_id: str, *,
                      progress: Progress | None = None,
                      limits: ObjectLimits | None = None,
                      cache: bool = True) -> AsyncIterator[dict[str, Any]]:
        """The object ``object_id`` of project ``project_id`` and every object below it, as
        plain dicts, the root first: ``async for obj in client.objects(p, o)``.

        Objects are handed out as the download brings them, never the whole body at once.
        References stay references (``{"referencedId": …, "speckle_type": "reference"}``);
        :meth:`load` resolves them. ``progress(loaded, total)`` is called after each object
        (``total`` from the root's ``totalChildrenCount``, the root included; None when the
        root gives no count). ``limits`` bound the download (:class:`~pyapp.objects.ObjectLimits`).

        ``cache`` (on by default): a complete download is kept in the browser (IndexedDB),
        and the same project and object are read from there next time, once the server has
        confirmed that the signed-in user may still read the project (one small request
        instead of the download). ``cache=False`` neither reads nor keeps anything.
        :meth:`clear_object_cache` and :meth:`logout` remove everything kept.

        Raises :class:`~pyapp.errors.ObjectNotFound`,
        :class:`~pyapp.errors.NotAccessible` (an unknown project, or one the user may not
        read), :class:`~pyapp.errors.SessionExpired` (after one refresh, as :meth:`query`),
        :class:`~pyapp.errors.ObjectsIncomplete` (the download ended early; raised after the
        last object that did arrive, so a loop must not take what it got as the model),
        :class:`~pyapp.errors.ObjectsMalformed` or :class:`~pyapp.errors.ObjectsTooLarge`.
        """
        session = self._require_session()
        key = cache_key(session.server_url, project_id, object_id)
        use_cache = cache and self._object_cache is not None
        kept = await self._kept_body(key, object_id) if use_cache else None
        if kept is not None:
            await self._confirm_access(project_id)
            body = _replay(kept)
        else:
            body = (await self._open_objects(session, project_id, object_id)).body
        recorder = BodyRecorder(MAX_ENTRY_BYTES) if use_cache and kept is None else None
        stream = ObjectStream(object_id, limits, progress)
        try:
            while True:
                try:
                    chunk = await anext(body)
                except StopAsyncIteration:
                    break
                except ServerUnavailable as error:  # the connection failed mid-way
                    raise ObjectsIncomplete(object_id, stream.loaded, stream.total) from error
                if recorder is not None:
                    recorder.add(chunk)
                for obj in stream.feed(chunk):
                    yield obj
            stream.finish()
        except (ObjectsIncomplete, ObjectsMalformed):
            if kept is not None:  # a kept record that reads badly is not kept any longer
                await self._cache_call(lambda cache: cache.delete(key))
            raise
        finally:
            await body.aclose()
        if recorder is not None:
            await self._keep(key, recorder)

    async def load(self, project_id: str, object_id: str, *,
                   progress: Progress | None = None,
                   limits: ObjectLimits | None = None,
                   cache: bool = True) -> dict[str, Any]:
        """The object ``object_id`` with every reference in it, and below it, replaced by
        the object it names: one tree of dicts and lists, ready to walk. An object
        referenced from many places is one Python object. Only a complete download is
        returned; the arguments (``cache`` included) and errors are those of
        :meth:`objects`."""
        loaded: dict[str, dict[str, Any]] = {}
        async for obj in self.objects(project_id, object_id, progress=progress, limits=limits,
                                      cache=cache):
            loaded[obj["id"]] = obj
        return resolve(loaded[object_id], loaded)

    async def clear_object_cache(self) -> None:
        """Remove every download kept in this browser for this site (every server,
        project and person); the next load downloads again. :meth:`logout` does this too.
        Never raises: a browser that refuses its storage kept nothing."""
        self._cache_generation += 1
        await self._cache_call(lambda cache: cache.clear(), warn=False)

    async def _kept_body(self, key: str, object_id: str) -> list[bytes] | None:
        """The kept body of ``key`` when it is a whole download of ``object_id``; a record
        that is not is removed (the network is asked instead)."""
        parts = await self._cache_call(lambda cache: cache.get(key))
        if parts is None or is_complete(object_id, parts):
            return parts
        await self._cache_call(lambda cache: cache.delete(key))
        return None

    async def _confirm_access(self, project_id: str) -> None:
        """Ask the server whether the signed-in user may read ``project_id``, as a download
        would: a kept record was downloaded by whoever was signed in then, perhaps someone
        else in this browser. Raises what :meth:`models` raises for the project."""
        await self._query_project(PROJECT_ACCESS_QUERY, {"projectId": project_id}, project_id)

    async def _keep(self, key: str, recorder: BodyRecorder) -> None:
        """Keep a complete download, unless it was too large or the visitor signed out
        meanwhile. A sign-out (or clearing) while it was being written removes it again:
        nothing of a signed-out visitor stays behind."""
        parts = recorder.parts()
        generation = self._cache_generation
        if parts is None or not self.signed_in:
            return
        await self._cache_call(lambda cache: cache.put(key, parts))
        if self._cache_generation != generation or not self.signed_in:
            await self._cache_call(lambda cache: cache.delete(key), warn=False)

    async def _cache_call(self, call: Callable[[ObjectCache], Coroutine[Any, Any, _T]],
                          warn: bool = True) -> _T | None:
        """``call(cache)``'s result; None without a cache or when the browser refuses it.
        The site's developer is told once (loads then come from the network)."""
        if self._object_cache is None:
            return None
        try:
            return await call(self._object_cache)
        except CacheUnavailable as error:
            if warn and not self._cache_warned:
                self._cache_warned = True
                notice(_CACHE_REFUSED_FULL if error.full else _CACHE_REFUSED)
            return None

    async def _open_objects(self, session: Session, project_id: str,
                            object_id: str) -> HttpStream:
        """The download's answer once it is a 200, its refusals typed.

        Speckle refuses a dead token and a project the user may not read alike, 401 or 403
        with no body, so a refusal is told apart by asking ``/graphql`` whether the token
        still works: a dead one is refreshed once (as in :meth:`query`), and the download
        asked again.
        """
        refreshed = False
        while True:
            answer = await self._http.stream(
                objects_request(session.server_url, project_id, object_id, session.token))
            if answer.status == 200:
                return answer
            said = await _first_bytes(answer.body)
            if answer.status not in (401, 403):
                raise _objects_refusal(answer.status, said, project_id, object_id)
            if refreshed or await self._token_works(session):
                raise NotAccessible("no_access", project_id)
            fresh = await self._refresh(session)
            if fresh is None:
                await self._forget_if_current(session)
                raise SessionExpired(answer.status)
            session, refreshed = fresh, True

    async def _token_works(self, session: Session) -> bool:
        try:
            await self._query_as(session, SERVER_PROBE_QUERY, None)
        except SessionExpired:
            return False
        return True

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
        except SpeckleError:
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
        """Forget the session here (at once), then ask the server to revoke the tokens.

        Local state is cleared first and unconditionally: the session, and every object
        download kept in the browser (:meth:`clear_object_cache`). The server calls are best
        effort, since a user who clicked "Log out" must be logged out even if the server is
        down.
        A dead access token does not stop the refresh token from being revoked (see
        :meth:`_revoke`). A popup login still waiting ends too (its ``login()`` raises
        :class:`~pyapp.errors.LoginCancelled`).
        """
        self.cancel_login()
        try:
            session = self.session
        except StorageUnavailable:  # storage blocked: nothing can have been kept in it
            session = None
        try:
            self._forget()
        except StorageUnavailable:
            if session is not None:  # a session was read but cannot be removed: say so
                raise
        finally:
            await self.clear_object_cache()
            if session is not None:
                with contextlib.suppress(SpeckleError):
                    await self._revoke(session)

    async def _revoke(self, session: Session) -> None:
        """Revoke ``session`` on the server, including when its access token is dead.

        A deployed server refuses ``/auth/logout`` (400) when the access token has already
        expired or been revoked, and then leaves the refresh token alive; refresh tokens do
        not rotate either. So after such a refusal, when a refresh token and the app secret
        exist, a fresh access token is made and logged out *together with the stored
        refresh token*, the one that has sat in the browser's storage. (The refresh token
        that comes with the fresh access token was never stored or shown anywhere; the
        server offers no way to revoke it without another live access token.)
        """
        response = await self._http.send(
            protocol.logout_request(session.server_url, session.token, session.refresh_token))
        if not (400 <= response.status < 500 and session.refresh_token and session.app_secret):
            return
        fresh = protocol.read_token_response(await self._http.send(protocol.refresh_request(
            session.server_url, session.app_id, session.app_secret, session.refresh_token)))
        await self._http.send(
            protocol.logout_request(session.server_url, fresh.token, session.refresh_token))

    def _forget(self) -> None:
        # Both callers then clear the object cache, which also stops a download being kept.
        self._sessions.clear_all()
        self.notify()

    async def _forget_if_current(self, session: Session) -> None:
        """Forget ``session``, which the server refused, unless a new login replaced it while
        the refused request was on the wire: that login is not the one that failed. The
        visitor is then signed out, so the downloads kept for them go too."""
        current = self.session
        if current is None or current == session:
            self._forget()
            await self.clear_object_cache()

    def _require_session(self) -> Session:
        session = self.session
        if session is None:
            raise NotSignedIn()
        return session


async def _first_bytes(body: AsyncGenerator[bytes, None], most: int = 4096) -> bytes:
    """The start of a refusal's body (all a refusal needs), the download then ended."""
    said = b""
    try:
        async for chunk in body:
            said += chunk
            if len(said) >= most:
                break
    except ServerUnavailable:
        pass  # the status already says what happened
    finally:
        await body.aclose()
    return said[:most]


async def _replay(parts: list[bytes]) -> AsyncGenerator[bytes, None]:
    """A kept body, handed out as a download's would be. Between parts the page gets a
    turn (to draw progress), as it does between a download's chunks."""
    for part in parts:
        yield part
        await asyncio.sleep(0)


_CACHE_REFUSED = ("the browser refuses this site's IndexedDB, so downloaded objects are "
                  "not kept: each load downloads them again")
_CACHE_REFUSED_FULL = ("this site's browser storage is full, so a downloaded model was not "
                       "kept: its next load downloads it again")


def _objects_refusal(status: int, said: bytes, project_id: str,
                     object_id: str) -> SpeckleError:
    """The error of a download answered ``status`` (not 200, 401 or 403)."""
    if status == 404:
        # Speckle says "Failed to find object." for an unknown object, nothing for an
        # unknown project.
        if b"object" in said.lower():
            return ObjectNotFound(project_id, object_id)
        return NotAccessible("project_not_found", project_id)
    if status >= 500:
        return ServerUnavailable("server_error", status, endpoint=OBJECTS_ENDPOINT)
    return ServerUnavailable("unexpected", status, endpoint=OBJECTS_ENDPOINT)


def _drop_login_failure(task: asyncio.Future[None]) -> None:
    """Retrieve a late popup login's outcome: a typed failure is dropped, a bug is raised."""
    error = None if task.cancelled() else task.exception()
    if error is not None and not isinstance(error, SpeckleError):
        raise error
