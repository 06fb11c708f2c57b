"""Settings passed to ``SpeckleClient.login(settings=...)``, and which session the client sees
afterwards.

A client made without settings (the app page with its editable form) sees whichever session
is stored, so a login to any server shows as signed in. A client made for a server and app
(a pinned page, a site author's ``connect(...)``) keeps seeing only sessions for them: a login
through it with settings for another server or app is refused before anything happens.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from pyapp.config import Settings
from pyapp.errors import InvalidConfiguration, NotSignedIn
from pyapp.stores import SESSION_KEY, TRANSACTION_KEY, Session, SessionStore
from tests.unit.popup_page import CALLBACK, SERVER, PopupPage

OTHER = "http://localhost:8002"


class Page(PopupPage):
    """One page's client, its storage and the windows it opens; its popup answers at once."""

    def __init__(self, settings: Settings | None) -> None:
        super().__init__(settings, now=1000.0)
        self.answer_once_sent_to_consent()

    def transaction(self) -> dict[str, object]:
        data: dict[str, object] = json.loads(self.ss.data[TRANSACTION_KEY])
        return data

    def finish_redirect(self) -> None:
        """The callback page's half of a redirect login, in this page's storage."""
        self.nav.url = CALLBACK
        asyncio.run(self.client.complete_login())


def stored_session(server: str, app: str) -> Session:
    return Session(server, app, "t1", None, None, "auto", "session", 1.0)


# -- a client made without settings ------------------------------------------------------------


@pytest.mark.parametrize("login_mode", ["redirect", "popup"])
def test_an_unbound_client_logs_in_anywhere_and_then_sees_that_session(login_mode: str) -> None:
    page = Page(None)
    settings = Settings(OTHER, "other-app", "s3cret", storage="local",
                        login_mode="popup" if login_mode == "popup" else "redirect")
    asyncio.run(page.client.login(settings=settings))
    if login_mode == "popup":
        assert page.popups.window.urls[0].startswith(f"{OTHER}/authn/verify/other-app/")
    else:
        (url, _), = page.nav.visited
        assert url.startswith(f"{OTHER}/authn/verify/other-app/")
        assert page.transaction()["app_secret"] == "s3cret"
        page.finish_redirect()
    assert page.http.sent[0].url == f"{OTHER}/oauth/token"
    session = page.client.session
    assert session is not None and (session.server_url, session.app_id) == (OTHER, "other-app")
    assert SESSION_KEY in page.ls.data  # the login's own storage choice
    assert page.client.signed_in and [s and s.app_id for s in page.changes] == ["other-app"]
    assert page.client.settings is None  # the login's settings were not kept on the client


def test_an_unbound_client_without_settings_for_the_login_says_what_is_missing() -> None:
    page = Page(None)
    with pytest.raises(NotSignedIn) as caught:
        page.client.login()
    assert caught.value.reason == "not_configured"
    assert page.ss.data == {} and page.nav.visited == [] and page.popups.opened == []


# -- a client made for a server and app -----------------------------------------------------------


def test_a_bound_client_logs_in_with_its_server_and_app_and_the_logins_other_choices() -> None:
    page = Page(Settings(SERVER, "demo-app"))
    asyncio.run(page.client.login(settings=Settings(
        SERVER + "/", "demo-app", " s3cret ", "documented", "local", login_mode="redirect")))
    txn = page.transaction()
    assert (txn["server_url"], txn["app_id"], txn["app_secret"], txn["dialect"],
            txn["storage"]) == (SERVER, "demo-app", "s3cret", "documented", "local")
    page.finish_redirect()
    assert page.client.signed_in and SESSION_KEY in page.ls.data
    assert page.client.settings == Settings(SERVER, "demo-app")  # unchanged


def test_a_bound_client_takes_the_login_mode_from_the_logins_settings() -> None:
    page = Page(Settings(SERVER, "demo-app"))  # no login mode of its own: a redirect
    asyncio.run(page.client.login(settings=Settings(SERVER, "demo-app", login_mode="popup")))
    assert page.popups.opened and page.nav.visited == []
    assert page.client.signed_in and len(page.changes) == 1 and page.changes[0] is not None


@pytest.mark.parametrize("settings", [
    Settings(OTHER, "demo-app"),
    Settings(SERVER, "another-app"),
    Settings(OTHER, "demo-app", login_mode="popup"),
])
def test_a_bound_client_refuses_a_login_it_would_not_see_before_anything_happens(
    settings: Settings,
) -> None:
    page = Page(Settings(SERVER, "demo-app"))
    SessionStore(page.ss, page.ls).save(stored_session(SERVER, "demo-app"))
    before = dict(page.ss.data)
    with pytest.raises(InvalidConfiguration) as caught:
        page.client.login(settings=settings)  # raised by the call itself, not on await
    assert (caught.value.reason, caught.value.value) == ("not_this_clients",
                                                         settings.validated().server_url)
    assert str(caught.value) == (
        f"The login settings name another server or app ({settings.validated().server_url}) "
        "than the client was made for: log in with a client made for them, or with one made "
        "without settings.")
    assert page.ss.data == before and page.nav.visited == [] and page.popups.opened == []
    assert page.client.session == stored_session(SERVER, "demo-app")  # still signed in
    assert page.client.settings == Settings(SERVER, "demo-app")


def test_invalid_login_settings_are_refused_as_invalid_whatever_the_binding() -> None:
    page = Page(Settings(SERVER, "demo-app"))
    with pytest.raises(InvalidConfiguration) as caught:
        page.client.login(settings=Settings("http://speckle.example", "demo-app"))
    assert caught.value.reason == "insecure_http"
    assert page.ss.data == {} and page.nav.visited == []


def test_a_session_for_another_server_stays_unseen_by_a_bound_client_and_seen_by_an_unbound_one(
) -> None:
    bound, unbound = Page(Settings(SERVER, "demo-app")), Page(None)
    for page in (bound, unbound):
        SessionStore(page.ss, page.ls).save(stored_session(OTHER, "other-app"))
    assert bound.client.session is None and not bound.client.signed_in
    assert unbound.client.session == stored_session(OTHER, "other-app")
