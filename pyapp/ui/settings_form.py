"""The app page's login form: which settings a login uses, and the settings form a person
may fill in.

A site pins its server and app in ``config.json`` (the default): a visitor chooses only "Stay
signed in", and the page's client is made for that server and app, so it never shows or
sends a session made for another. With ``"editableSettings": true`` the form's fields
(server URL, App ID, secret, token endpoint) are shown and a login uses what was typed
there; the client is then made without settings, so whichever server the person logs in to
shows as signed in (see ``SpeckleClient.login``). What was typed is kept for this tab, so a
failed login that sends the person "Back to the settings" finds it as it was.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from typing import Any

from ..browser import WebStorage
from ..config import (
    CONFIG_KEYS,
    Settings,
    settings_editable,
)
from ..errors import InvalidConfiguration, SpeckleError
from .dom import by_id

# What was typed into the settings form, for this tab only. Outside the login's namespace: it
# is the form's memory, not login state, and a failed login must not erase it.
FORM_KEY = "speckle-login-settings"
#: Config key -> the id of the form field that edits it.
FIELDS = {"serverUrl": "server-url", "appId": "app-id", "appSecret": "app-secret",
          "dialect": "dialect"}
# The secret's field is always described by its hint; an error adds nothing to it.
HINTS = {"app-secret": "app-secret-hint"}


def touched(field: Any) -> bool:
    """True when the user changed ``field`` from the page's initial value (e.g. while the
    runtime loaded): such a value is theirs and is not overwritten by the config."""
    if field.type == "checkbox":
        return bool(field.checked != field.defaultChecked)
    if field.tagName == "SELECT":
        options = list(field.options)
        default = next((o for o in options if o.defaultSelected), options[0])
        return bool(field.value != default.value)
    return bool(field.value != field.defaultValue)


def _shown(values: Mapping[str, Any], key: str) -> str:
    """What the field for config ``key`` shows for ``values`` (the dialect's default: auto)."""
    return str(values.get(key) or ("auto" if key == "dialect" else ""))


class SettingsForm:
    """The ``#login-form``'s settings part: "Stay signed in" and, when editable, the fields."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.editable = settings_editable(config)
        # Only the keys a Settings reads: unknown ones were reported once as the page started.
        self._site = {key: value for key, value in config.items() if key in CONFIG_KEYS}
        self._memory = WebStorage("sessionStorage")
        self.remember = by_id("remember")
        self.fields = {field_id: by_id(field_id) for field_id in FIELDS.values()}

    def client_settings(self) -> Settings | None:
        """What the page's client is made with: the site's server and app, or None when the
        person chooses them (editable). Raises :class:`InvalidConfiguration` when the
        site's config cannot be read as settings."""
        return None if self.editable else Settings.from_mapping(self._site)

    def fill(self) -> None:
        """The config's values (and, when editable, what was typed in this tab before) into
        the page, except where the visitor already changed something while the runtime
        loaded."""
        values = {**self._site, **self._typed_before()} if self.editable else self._site
        if not touched(self.remember):
            self.remember.checked = values.get("storage") == "local"
        if not self.editable:
            return
        for key, field_id in FIELDS.items():
            field = self.fields[field_id]
            if not touched(field):
                field.value = _shown(values, key)
        by_id("settings").hidden = False

    def forget(self) -> None:
        """Log out: what was typed in this tab (an app secret, perhaps) leaves its storage
        and the form, which shows the site's own values again."""
        with contextlib.suppress(SpeckleError):
            self._memory.remove(FORM_KEY)
        if not self.editable:
            return
        for key, field_id in FIELDS.items():
            self.fields[field_id].value = _shown(self._site, key)

    def settings(self) -> Settings:
        """The settings to log in with: the site's pinned ones, or the form's when editable
        (remembered for this tab first). Raises :class:`InvalidConfiguration` for values of
        the wrong type; the values themselves are checked by the login."""
        storage = "local" if self.remember.checked else "session"
        if not self.editable:
            return Settings.from_mapping({**self._site, "storage": storage})
        typed = {key: str(self.fields[field_id].value) for key, field_id in FIELDS.items()}
        typed["storage"] = storage
        # The form's memory is a convenience: storage that refuses it fails the login itself,
        # with its own message, a moment later.
        with contextlib.suppress(SpeckleError):
            self._memory.set(FORM_KEY, json.dumps(typed))
        # allowInsecureHttp goes through Settings' strict reading: the string "false" stays false.
        return Settings.from_mapping({**typed, "loginMode": self._site.get("loginMode"),
                                      "allowInsecureHttp": self._site.get("allowInsecureHttp")})

    def mark_invalid(self, error: BaseException | None) -> None:
        """Mark the field a settings ``error`` names (``aria-invalid``, described by the
        form's error), and unmark the rest. Only an editable form has fields to mark."""
        if not self.editable:
            return
        at_fault = (FIELDS.get(error.setting or "")
                    if isinstance(error, InvalidConfiguration) else None)
        for field_id, node in self.fields.items():
            if field_id == at_fault:
                node.setAttribute("aria-invalid", "true")
                node.setAttribute("aria-describedby", "form-error")
            else:
                node.removeAttribute("aria-invalid")
                if field_id in HINTS:
                    node.setAttribute("aria-describedby", HINTS[field_id])
                else:
                    node.removeAttribute("aria-describedby")
        if at_fault == "app-secret":
            by_id("advanced").open = True  # the field is in the folded "Advanced" part

    def _typed_before(self) -> dict[str, Any]:
        """The settings typed in this tab before, if any (none when storage is blocked: the
        page says so once it has started)."""
        try:
            raw = self._memory.get(FORM_KEY)
            saved = json.loads(raw) if raw else {}
        except (ValueError, SpeckleError):
            return {}
        return saved if isinstance(saved, dict) else {}

