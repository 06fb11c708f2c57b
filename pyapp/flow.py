"""The two halves of a login: leaving for Speckle, and coming back with its answer.

``start_login`` validates settings, makes the PKCE pair, saves the transaction and returns
the authorization URL (the caller navigates). Coming back is split in two, shared by the
redirect flow (on the callback page) and the popup flow (in the page that opened the
popup): ``take_callback`` is synchronous (parse the callback URL, take the transaction,
compute the clean address), so the caller runs it before its first await;
``finish_callback`` exchanges the code on whichever token endpoint the server has. Only
the client touches the address bar or navigates.
"""

from __future__ import annotations

# urllib.parse is imported where it is used (why: pyapp.page_urls).
import contextlib
from dataclasses import dataclass

from . import pkce, protocol
from .config import Settings
from .errors import (
    EndpointNotSupported,
    LoginDenied,
    MissingAccessCode,
    MissingTransaction,
    ServerUnavailable,
    SpeckleError,
    StorageUnavailable,
    TokenEndpointUnreachable,
    UnusableResponse,
)
from .graphql import graphql_request
from .page_urls import safe_return_to, strip_callback_params
from .ports import Crypto, Http
from .speckle_api import SERVER_PROBE_QUERY
from .stores import LoginTransaction, Session, SessionStore, TransactionStore


async def start_login(
    settings: Settings,
    crypto: Crypto,
    transactions: TransactionStore,
    return_to: str,
    now: float,
    login_id: str | None = None,
) -> str:
    """Prepare a login and return the URL of Speckle's consent page.

    ``login_id`` names a popup login (its callback must name it too); None for a redirect.

    Raises :class:`~pyapp.errors.InvalidConfiguration` or
    :class:`~pyapp.errors.InsecureContext` before anything is stored.
    """
    settings = settings.validated()
    pair = await pkce.new_pair(crypto)
    transactions.save(
        LoginTransaction(
            verifier=pair.verifier,
            segment=protocol.challenge_segment(pair.challenge),
            server_url=settings.server_url,
            app_id=settings.app_id,
            app_secret=settings.app_secret,
            dialect=settings.dialect,
            storage=settings.storage,
            return_to=return_to,
            created_at=now,
            login_id=login_id,
            refresh_token_at_rest=settings.refresh_token_in_local_storage,
        )
    )
    return protocol.authorization_url(settings.server_url, settings.app_id, pair.challenge)


def settings_of(txn: LoginTransaction) -> Settings:
    """The settings a stored login was started with (a popup login's has a ``login_id``)."""
    return Settings(server_url=txn.server_url, app_id=txn.app_id, app_secret=txn.app_secret,
                    dialect=txn.dialect, storage=txn.storage,
                    login_mode="popup" if txn.login_id else "redirect",
                    refresh_token_in_local_storage=txn.refresh_token_at_rest)


@dataclass(frozen=True)
class CallbackResult:
    """Where to send the user after the callback, and whether a new session was made."""

    return_to: str
    session: Session
    new_login: bool


async def exchange_code(http: Http, txn: LoginTransaction, access_code: str) -> protocol.Tokens:
    """Exchange the code once per endpoint, honouring the transaction's dialect.

    ``auto`` tries the documented endpoint; when the server lacks it, and an app secret is
    configured, the code is exchanged at ``/auth/token`` instead.
    """
    if txn.dialect != "deployed":
        tokens = await _documented_exchange(http, txn, access_code)
        if tokens is not None:
            return tokens
    if not txn.app_secret:  # only reachable for a transaction stored by hand
        raise EndpointNotSupported(txn.server_url, "secret_missing")
    return protocol.read_token_response(
        await http.send(
            protocol.deployed_token_request(
                txn.server_url, txn.app_id, txn.app_secret, access_code, txn.segment
            )
        ),
        protocol.DEPLOYED_TOKEN_PATH,
    )


async def _documented_exchange(
    http: Http, txn: LoginTransaction, access_code: str
) -> protocol.Tokens | None:
    """Tokens from ``/oauth/token``, or None when the server lacks it and ``auto`` may go on.

    Any non-JSON answer means the route is missing. A network failure alone proves nothing
    (the server may be down), but behind Speckle's standard ingress ``/oauth/*`` belongs to
    the web frontend, which may answer without CORS headers, and the browser reports that
    exactly like a dropped connection. So one token-less question to the API decides: if it
    answers, the endpoint is what this page cannot reach.
    """
    try:
        response = await http.send(
            protocol.documented_token_request(txn.server_url, txn.app_id, access_code, txn.verifier)
        )
    except UnusableResponse:
        raise  # the endpoint answered, with something hostile: no reason to try another
    except ServerUnavailable:
        if txn.dialect == "documented" or not await _api_answers(http, txn.server_url):
            raise
        if not txn.app_secret:
            raise TokenEndpointUnreachable(server_url=txn.server_url) from None
        return None
    if not protocol.is_documented_endpoint_absent(response):
        return protocol.read_token_response(response, protocol.DOCUMENTED_TOKEN_PATH)
    if txn.dialect == "auto" and txn.app_secret:
        return None
    if protocol.looks_like_missing_route(response):
        if txn.app_secret:  # "documented" was chosen: the secret is there, the endpoint is wrong
            raise EndpointNotSupported(txn.server_url, "documented_chosen")
        raise EndpointNotSupported(txn.server_url, "no_app_secret")
    raise ServerUnavailable("not_json", response.status, endpoint=protocol.DOCUMENTED_TOKEN_PATH)


async def _api_answers(http: Http, server_url: str) -> bool:
    """True when the GraphQL API gives a JSON answer, without a token, to this page."""
    request = graphql_request(server_url, SERVER_PROBE_QUERY, None, None)
    try:
        return (await http.send(request)).json_object() is not None
    except ServerUnavailable:
        return False


@dataclass(frozen=True)
class Callback:
    """What the synchronous half of a callback read and took.

    ``clean_url`` is the callback URL without ``access_code``/``denied``: the address the
    page must show from now on. ``transaction`` is the login's one-time record, already
    deleted from storage (None when there was none, it was stale, or it belongs to another
    login).
    """

    url: str
    clean_url: str
    access_code: str
    denied: bool
    transaction: LoginTransaction | None

    @property
    def carries_result(self) -> bool:
        """True when Speckle's answer (a code or a denial) is in the URL."""
        return bool(self.access_code) or self.denied


def take_callback(
    url: str, transactions: TransactionStore, now: float, login_id: str | None = None
) -> Callback:
    """The synchronous half of finishing a login: parse ``url`` and take the transaction.

    Called before the first await of whoever finishes the login (the callback page, or the
    page that opened a login popup), so no reload, back button or second tab can replay the
    verifier. ``login_id`` names the popup login the callback belongs to (None: a redirect
    login); a transaction of another login is taken too, and counts as absent. The caller
    puts ``clean_url`` in the address bar when the callback is its own page.
    """
    from urllib.parse import parse_qsl, urlsplit

    params = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    code = params.get("access_code", "").strip()
    denied = params.get("denied") == "true"
    if not code and not denied:
        return Callback(url, url, "", False, None)
    txn = transactions.take(now)
    if txn is not None and txn.login_id != login_id:
        txn = None
    return Callback(url, strip_callback_params(url), code, denied, txn)


async def finish_callback(
    callback: Callback, http: Http, sessions: SessionStore, now: float
) -> CallbackResult:
    """The asynchronous half: exchange the code the callback carries and store the session.

    Raises :class:`~pyapp.errors.LoginDenied`, :class:`~pyapp.errors.MissingAccessCode`,
    :class:`~pyapp.errors.MissingTransaction` or the exchange's errors; each carries
    ``return_to`` (the page the login started from) when it is known. A callback visited
    again after a finished login (reload, back button) answers the existing session.
    """
    from urllib.parse import urljoin

    url, txn = callback.url, callback.transaction
    if not callback.carries_result or (txn is None and not callback.denied):
        existing = sessions.load()
        if existing is not None:  # a reload or the back button after a finished login
            return CallbackResult(urljoin(url, "./"), existing, new_login=False)
    if not callback.carries_result:
        raise MissingAccessCode()
    if callback.denied:
        raise LoginDenied(
            return_to=safe_return_to(txn.return_to, url) if txn else None,
            login_settings=settings_of(txn) if txn else None,
        )
    if txn is None:
        raise MissingTransaction()
    return_to, settings = safe_return_to(txn.return_to, url), settings_of(txn)
    try:
        tokens = await exchange_code(http, txn, callback.access_code)
    except SpeckleError as failure:  # the same failure, made for this login's pages
        raise failure.for_login(return_to, settings) from failure
    session = Session(
        server_url=txn.server_url,
        app_id=txn.app_id,
        token=tokens.token,
        refresh_token=tokens.refresh_token,
        app_secret=txn.app_secret,
        dialect=txn.dialect,
        storage=txn.storage,
        created_at=now,
        refresh_token_at_rest=txn.refresh_token_at_rest,
    )
    try:
        sessions.save(session)
    except StorageUnavailable as failure:
        # Tokens nobody can keep must not stay alive on the server: revoke them at once.
        with contextlib.suppress(SpeckleError):
            await http.send(protocol.logout_request(txn.server_url, tokens.token,
                                                    tokens.refresh_token))
        raise failure.for_login(return_to, settings) from failure
    return CallbackResult(return_to, session, new_login=True)
