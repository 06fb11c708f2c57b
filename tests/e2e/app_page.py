"""Page objects for the app and the mock's consent page: what a person does, in one place."""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.sync_api import Page, expect

from pyapp.stores import NAMESPACE, SESSION_KEY, TRANSACTION_KEY

# Each pageshow of the current document: ``persisted`` is true for a page shown again from
# the back-forward cache (add with ``page.add_init_script``).
RECORD_PAGESHOW = """window.__pageshows = [];
addEventListener("pageshow", (e) => window.__pageshows.push(e.persisted));"""


class AppPage:
    """``index.html`` and the round trip through the consent page and ``callback.html``."""

    def __init__(self, page: Page, site_url: str) -> None:
        self.page = page
        self.site_url = site_url

    def open(self, path: str = "index.html", state: str = "signed-out") -> AppPage:
        self.page.goto(self.site_url + path)
        self.wait_for(state)
        return self

    def wait_for(self, state: str) -> None:
        expect(self.page.locator("body")).to_have_attribute("data-state", state)

    def fill(
        self,
        server_url: str | None = None,
        app_id: str | None = None,
        secret: str | None = None,
        dialect: str | None = None,
        remember: bool | None = None,
    ) -> AppPage:
        if server_url is not None:
            self.page.get_by_label("Server URL").fill(server_url)
        if app_id is not None:
            self.page.get_by_label("App ID").fill(app_id)
        advanced = secret is not None or dialect is not None
        if advanced and not self.page.locator("#advanced").evaluate("d => d.open"):
            self.page.get_by_text("Advanced").click()
        if secret is not None:
            self.page.locator("#app-secret").fill(secret)
        if dialect is not None:
            self.page.get_by_label("Token endpoint").select_option(dialect)
        if remember is not None:
            self.page.get_by_label("Stay signed in on this device").set_checked(remember)
        return self

    def click_login(self) -> None:
        self.page.get_by_role("button", name="Log in with Speckle").click()

    def to_consent(self) -> None:
        self.click_login()
        expect(self.page.get_by_role("button", name="Authorize")).to_be_visible()
        assert "/authn/verify/" in self.page.url

    def authorize(self) -> None:
        self.page.get_by_role("button", name="Authorize").click()

    def deny(self) -> None:
        self.page.get_by_role("button", name="Deny").click()

    def log_in(self, expect_state: str = "signed-in") -> None:
        """Log in from the open app page and wait for the signed-in view."""
        self.to_consent()
        self.authorize()
        self.page.wait_for_url(re.compile(re.escape(self.site_url)))
        self.wait_for(expect_state)

    # -- popup logins ---------------------------------------------------------------------

    def open_popup(self) -> Page:
        """Click "Log in with Speckle" and return the popup, once it shows the consent page."""
        with self.page.expect_popup() as opened:
            self.click_login()
        popup = opened.value
        expect(popup.get_by_role("button", name="Authorize")).to_be_visible()
        assert "/authn/verify/" in popup.url
        return popup

    def authorize_in(self, popup: Page) -> None:
        """Authorize in the popup and wait for the popup to close itself."""
        with popup.expect_event("close"):
            popup.get_by_role("button", name="Authorize").click()

    def deny_in(self, popup: Page) -> None:
        with popup.expect_event("close"):
            popup.get_by_role("button", name="Deny").click()

    def log_out(self) -> None:
        self.page.get_by_role("button", name="Log out").click()
        self.wait_for("signed-out")

    # -- what the browser holds ---------------------------------------------------------

    def storage(self, kind: str = "sessionStorage") -> dict[str, str]:
        data: dict[str, str] = self.page.evaluate(f"() => ({{...{kind}}})")
        return data

    def our_keys(self) -> dict[str, str]:
        both = {**self.storage("sessionStorage"), **self.storage("localStorage")}
        return {k: v for k, v in both.items() if k.startswith(NAMESPACE)}

    def session(self) -> dict[str, Any] | None:
        raw = self.storage().get(SESSION_KEY) or self.storage("localStorage").get(SESSION_KEY)
        return json.loads(raw) if raw else None

    def transaction(self) -> dict[str, Any] | None:
        raw = self.storage().get(TRANSACTION_KEY)
        return json.loads(raw) if raw else None
