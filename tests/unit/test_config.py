"""Server URL and settings validation: refused before any redirect, normalised otherwise."""

import pytest

from pyapp.config import Settings, is_loopback_host, normalize_server_url
from pyapp.errors import InvalidConfiguration


@pytest.mark.parametrize("raw,expected", [
    ("https://app.speckle.systems", "https://app.speckle.systems"),
    ("https://app.speckle.systems/", "https://app.speckle.systems"),
    ("  HTTPS://App.Speckle.SYSTEMS//  ", "https://app.speckle.systems"),
    ("https://speckle.example.com:443/", "https://speckle.example.com"),
    ("https://speckle.example.com:8443", "https://speckle.example.com:8443"),
    ("http://localhost:3000/", "http://localhost:3000"),
    ("http://127.0.0.1:8001", "http://127.0.0.1:8001"),
    ("http://[::1]:8001", "http://[::1]:8001"),
    ("http://speckle.localhost", "http://speckle.localhost"),
])
def test_accepted_and_normalised(raw: str, expected: str) -> None:
    assert normalize_server_url(raw) == expected


@pytest.mark.parametrize("raw,needle", [
    ("javascript:alert(1)", "must start with https://"),
    ("data:text/html,<b>x</b>", "must start with https://"),
    ("app.speckle.systems", "not a full URL"),
    ("//app.speckle.systems", "not a full URL"),
    ("http://app.speckle.systems", "Plain http://"),
    ("http://10.0.0.5", "Plain http://"),
    ("ftp://app.speckle.systems", "https://"),
    ("https://user:pw@app.speckle.systems", "user name"),
    ("https://app.speckle.systems/?x=1", "? or #"),
    ("", "Enter the URL"),
])
def test_refused_with_a_clear_message(raw: str, needle: str) -> None:
    with pytest.raises(InvalidConfiguration) as info:
        normalize_server_url(raw)
    assert needle in str(info.value)


def test_insecure_http_only_when_asked_for_by_name() -> None:
    assert normalize_server_url("http://speckle.lan", allow_insecure_http=True) == "http://speckle.lan"


@pytest.mark.parametrize("host,loopback", [("localhost", True), ("127.0.0.1", True),
                                            ("127.5.6.7", True), ("[::1]", True),
                                            ("example.com", False), ("192.168.1.2", False)])
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def test_settings_from_config_file_keys() -> None:
    s = Settings.from_mapping({"serverUrl": "https://x.example/", "appId": " abc ",
                               "appSecret": "", "dialect": "deployed", "storage": "local"})
    assert (s.app_secret, s.dialect, s.storage) == (None, "deployed", "local")
    with pytest.raises(InvalidConfiguration, match="needs the app secret"):
        s.validated()
    ok = Settings.from_mapping({"serverUrl": "https://x.example/", "appId": " abc "}).validated()
    assert (ok.server_url, ok.app_id, ok.dialect, ok.storage) == ("https://x.example", "abc",
                                                                  "auto", "session")


@pytest.mark.parametrize("app_id", ["", "a/b", "a b", "x?y", "a&b"])
def test_bad_app_ids(app_id: str) -> None:
    with pytest.raises(InvalidConfiguration):
        Settings("https://x.example", app_id).validated()


def test_login_mode_from_config_keys_and_attributes() -> None:
    base = {"serverUrl": "https://x.example", "appId": "a"}
    assert Settings.from_mapping(base).login_mode is None  # the page decides
    popup = Settings.from_mapping({**base, "loginMode": "popup"}).validated()
    assert popup.login_mode == "popup"
    assert Settings.from_attributes({"data-login-mode": "redirect"}, base).login_mode == "redirect"


@pytest.mark.parametrize("field,value", [("dialect", "magic"), ("storage", "cookie"),
                                         ("login_mode", "iframe")])
def test_bad_choices(field: str, value: str) -> None:
    with pytest.raises(InvalidConfiguration):
        Settings(**{"server_url": "https://x.example", "app_id": "a", field: value}).validated()


def test_settings_are_editable_only_for_a_json_true() -> None:
    from pyapp.config import settings_editable

    assert settings_editable({"editableSettings": True})
    for value in (False, "true", 1, None):
        assert not settings_editable({"editableSettings": value})
    assert not settings_editable({})
