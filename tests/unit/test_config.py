"""Server URL and settings validation: refused before any redirect, normalised otherwise."""

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyapp.config import (
    CONFIG_KEYS,
    Settings,
    config_from_attributes,
    load_config_file,
)
from pyapp.errors import CONFIGURATION_REASONS, InvalidConfiguration
from pyapp.messages import message_for
from pyapp.server_url import check_server_url, is_loopback_host


def owner_words(error: InvalidConfiguration) -> str:
    """What the person who chose the settings reads about ``error``."""
    return message_for(error, editable=True).detail


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
    assert check_server_url(raw) == expected


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
        check_server_url(raw)
    assert info.value.setting == "serverUrl" and needle in owner_words(info.value)


def test_insecure_http_only_when_asked_for_by_name() -> None:
    assert check_server_url("http://speckle.lan", allow_insecure_http=True) == "http://speckle.lan"


@pytest.mark.parametrize("host,loopback", [("localhost", True), ("127.0.0.1", True),
                                            ("127.5.6.7", True), ("[::1]", True),
                                            ("example.com", False), ("192.168.1.2", False),
                                            ("LOCALHOSTX", False), ("[::1]X", False)])
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def test_settings_from_config_file_keys() -> None:
    s = Settings.from_mapping({"serverUrl": "https://x.example/", "appId": " abc ",
                               "appSecret": "", "dialect": "deployed", "storage": "local"})
    assert (s.app_secret, s.dialect, s.storage) == (None, "deployed", "local")
    with pytest.raises(InvalidConfiguration) as info:
        s.validated()
    assert (info.value.reason, info.value.setting) == ("secret_needed", "appSecret")
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


# -- strict types -----------------------------------------------------------------------------


@pytest.mark.parametrize("value,expected", [
    ("false", False), ("0", False), ("no", False), ("FALSE", False), (" off ", False),
    (False, False), (None, False), ("true", True), ("1", True), ("yes", True), (True, True),
])
def test_insecure_http_flag_is_read_not_coerced(value: object, expected: bool) -> None:
    data = {"serverUrl": "http://speckle.lan", "appId": "a", "allowInsecureHttp": value}
    assert Settings.from_mapping(data).allow_insecure_http is expected


def test_the_refresh_token_stays_out_of_local_storage_unless_named() -> None:
    base = {"serverUrl": "https://x.example", "appId": "a", "storage": "local"}
    assert Settings.from_mapping(base).validated().refresh_token_in_local_storage is False
    named = Settings.from_mapping({**base, "refreshTokenInLocalStorage": "true"})
    assert named.validated().refresh_token_in_local_storage is True
    assert Settings.from_attributes(
        {"data-refresh-token-in-local-storage": ""}, base).refresh_token_in_local_storage
    with pytest.raises(InvalidConfiguration) as info:
        Settings(server_url="https://x.example", app_id="a",
                 refresh_token_in_local_storage="yes").validated()  # type: ignore[arg-type]
    assert info.value.setting == "refreshTokenInLocalStorage"


def test_the_string_false_keeps_plain_http_refused() -> None:
    settings = Settings.from_mapping(
        {"serverUrl": "http://speckle.lan", "appId": "a", "allowInsecureHttp": "false"})
    with pytest.raises(InvalidConfiguration) as info:
        settings.validated()
    assert (info.value.reason, info.value.setting) == ("insecure_http", "serverUrl")


@pytest.mark.parametrize("key,value", [
    ("allowInsecureHttp", "maybe"), ("allowInsecureHttp", 1), ("allowInsecureHttp", []),
    ("serverUrl", 5), ("appId", ["a"]), ("appSecret", {"s": 1}), ("dialect", True),
    ("storage", 0.5), ("refreshTokenInLocalStorage", "maybe"),
])
def test_a_wrong_type_is_an_invalid_configuration(key: str, value: object) -> None:
    data = {"serverUrl": "https://x.example", "appId": "a", key: value}
    with pytest.raises(InvalidConfiguration) as info:
        Settings.from_mapping(data)
    assert info.value.setting == key and info.value.got is not None
    assert key in owner_words(info.value)


def test_unknown_keys_are_reported(caplog: pytest.LogCaptureFixture) -> None:
    Settings.from_mapping({"serverUrl": "https://x.example", "appId": "a", "appID": "typo"})
    assert "appID" in caplog.text and "unknown config key" in caplog.text


def test_known_keys_are_not_reported(caplog: pytest.LogCaptureFixture) -> None:
    Settings.from_mapping({"serverUrl": "https://x.example", "appId": "a", "storage": "local"})
    assert caplog.text == ""


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                  max_size=3),
    max_leaves=8,
)
CONFIG_MAPPINGS = st.dictionaries(
    st.sampled_from([*CONFIG_KEYS, "serverURL", "extra"]),
    JSON_VALUES | st.sampled_from(["https://app.speckle.systems", "http://localhost:3000",
                                   "demo-app", "auto", "deployed", "local", "false", "true"]),
)


@given(CONFIG_MAPPINGS)
def test_any_config_mapping_gives_valid_settings_or_an_invalid_configuration(
    data: dict[str, object],
) -> None:
    """Whatever a config file holds: Settings that validate, or InvalidConfiguration. Never
    a TypeError, and never a non-https server other than loopback unless asked for."""
    try:
        settings = Settings.from_mapping(data).validated()
    except InvalidConfiguration as error:
        assert error.reason in CONFIGURATION_REASONS and str(error)
        return
    flag = data.get("allowInsecureHttp")
    word = flag.strip().lower() if isinstance(flag, str) else flag
    assert settings.allow_insecure_http is (word in (True, "true", "1", "yes", "on"))
    secure = settings.server_url.startswith("https://")
    assert secure or settings.allow_insecure_http or settings.server_url.startswith(
        "http://localhost")


@given(CONFIG_MAPPINGS)
def test_a_login_from_any_config_stores_nothing_unless_it_leaves_for_a_safe_server(
    data: dict[str, object],
) -> None:
    """start_login with any config: either InvalidConfiguration and an empty storage, or one
    stored transaction and a consent URL on an https or loopback server."""
    import asyncio

    from pyapp.flow import start_login
    from pyapp.stores import TransactionStore
    from tests.unit.fakes import MemoryStorage, PythonCrypto

    storage = MemoryStorage()
    try:
        settings = Settings.from_mapping(data)
        url = asyncio.run(start_login(settings, PythonCrypto(), TransactionStore(storage),
                                      "http://127.0.0.1:8000/", 1.0))
    except InvalidConfiguration:
        assert storage.data == {}
        return
    assert len(storage.data) == 1
    assert url.startswith("https://") or settings.allow_insecure_http or url.startswith(
        "http://localhost")


def test_keys_other_parts_of_the_site_read_are_not_reported(
    caplog: pytest.LogCaptureFixture,
) -> None:
    Settings.from_mapping({"serverUrl": "https://x.example", "appId": "a", "fastStart": False,
                           "editableSettings": True})
    assert caplog.text == ""


def test_settings_are_editable_only_for_a_json_true() -> None:
    from pyapp.config import settings_editable

    assert settings_editable({"editableSettings": True})
    for value in (False, "true", 1, None):
        assert not settings_editable({"editableSettings": value})
    assert not settings_editable({})

@pytest.mark.parametrize("raw, parts", [
    ("app.speckle.systems/x", ["“app.speckle.systems/x” is not a full URL",
                               "e.g. https://app.speckle.systems/x."]),
    ("//app.speckle.systems", ["e.g. https://app.speckle.systems."]),
    ("https://user@app.speckle.systems", ["user name or password"]),
    ("https://:pw@app.speckle.systems", ["user name or password"]),
    ("https://app.speckle.systems#x", ["? or #"]),
    ("ftp://app.speckle.systems", ["must start with https://", "(got “ftp:”)"]),
    ("https://:443", ["“https://:443” is not a valid URL."]),
    ("https://app.speckle.systems:99999", ["“https://app.speckle.systems:99999” is not a valid "
                                           "URL."]),
    ("https://app.speckle.systems:x", ["not a valid URL"]),
])
def test_every_refusal_says_why(raw: str, parts: list[str]) -> None:
    with pytest.raises(InvalidConfiguration) as info:
        check_server_url(raw)
    assert info.value.setting == "serverUrl"
    assert all(part in owner_words(info.value) for part in parts)


@pytest.mark.parametrize("raw, expected", [
    ("http://localhost:81/", "http://localhost:81"),
    ("http://localhost:80/", "http://localhost"),
    ("https://x.example:80", "https://x.example:80"),
    ("https://x.example/speckle/", "https://x.example/speckle"),
    ("https://x.example//a//", "https://x.example//a"),
    ("https://[::1]:443/", "https://[::1]"),
    ("https://x.example/SPECKLEX/", "https://x.example/SPECKLEX"),
])
def test_ports_and_paths(raw: str, expected: str) -> None:
    assert check_server_url(raw) == expected


def test_allow_insecure_http_survives_validation() -> None:
    settings = Settings("http://speckle.lan/", "app", allow_insecure_http=True).validated()
    assert settings.server_url == "http://speckle.lan" and settings.allow_insecure_http is True
    with pytest.raises(InvalidConfiguration) as info:
        Settings("http://speckle.lan/", "app").validated()
    assert info.value.reason == "insecure_http"


def test_validated_keeps_every_choice_and_trims_the_secret() -> None:
    settings = Settings("https://x.example/", " app ", " sec ", "deployed", "local").validated()
    assert settings == Settings("https://x.example", "app", "sec", "deployed", "local", False)
    assert Settings("https://x.example", "a", "  ").validated().app_secret is None


@pytest.mark.parametrize("app_id, part", [("", "Enter the App ID"), ("a/b", "may only contain"),
                                          ("x" * 129, "may only contain")])
def test_app_id_refusals_say_why(app_id: str, part: str) -> None:
    with pytest.raises(InvalidConfiguration) as info:
        Settings("https://x.example", app_id).validated()
    assert info.value.setting == "appId" and part in owner_words(info.value)
    assert Settings("https://x.example", "A.b_c~d-9").validated().app_id == "A.b_c~d-9"


@pytest.mark.parametrize("field, value, part", [("dialect", "magic", "auto, documented"),
                                                ("storage", "cookie", "session, local")])
def test_bad_choices_list_the_good_ones(field: str, value: str, part: str) -> None:
    with pytest.raises(InvalidConfiguration) as info:
        Settings(**{"server_url": "https://x.example", "app_id": "a", field: value}).validated()
    assert info.value.reason == "not_one_of" and info.value.setting == field
    assert part in owner_words(info.value) and owner_words(info.value).endswith(".")


def test_missing_keys_are_empty_not_made_up() -> None:
    settings = Settings.from_mapping({})
    assert (settings.server_url, settings.app_id, settings.app_secret) == ("", "", None)
    with pytest.raises(InvalidConfiguration) as info:
        settings.validated()
    assert (info.value.reason, info.value.setting) == ("missing", "serverUrl")
    assert "Enter the URL" in owner_words(info.value)


@pytest.mark.parametrize("mapping, allowed", [({}, False), ({"allowInsecureHttp": True}, True),
                                              ({"allowInsecureHttp": False}, False)])
def test_allow_insecure_http_from_a_mapping(mapping: dict[str, object], allowed: bool) -> None:
    settings = Settings.from_mapping({"serverUrl": "http://speckle.lan", "appId": "a", **mapping})
    assert settings.allow_insecure_http is allowed


@pytest.mark.parametrize("value, allowed", [("", True), ("TRUE", True), ("Yes", True),
                                            ("1", True), ("false", False), ("no", False)])
def test_boolean_attributes(value: str, allowed: bool) -> None:
    assert config_from_attributes({"data-allow-insecure-http": value}) == {
        "allowInsecureHttp": allowed}


def test_attributes_by_any_spelling_blank_ones_skipped() -> None:
    assert config_from_attributes({"data-server-url": " https://x.example ", "app-id": "a",
                                   "appSecret": "s", "DATA-DIALECT": "deployed",
                                   "data-storage": "  ", "data-other": "x", "storage": ""}) == {
        "serverUrl": "https://x.example", "appId": "a", "appSecret": "s", "dialect": "deployed"}


def test_config_files(tmp_path: Path) -> None:
    good = tmp_path / "config.json"
    good.write_text(json.dumps({"serverUrl": "https://x.example", "appId": "Zoë"}),
                    encoding="utf-8")
    assert load_config_file(str(good)) == {"serverUrl": "https://x.example", "appId": "Zoë"}
    assert Settings.from_file(str(good)).app_id == "Zoë"
    cases = {"missing.json": ("file_missing", "was not found"),
             "bad.json": ("file_not_json", "is not valid JSON"),
             "list.json": ("file_not_an_object", "must hold a JSON object")}
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    (tmp_path / "list.json").write_text("[1]", encoding="utf-8")
    for name, (reason, part) in cases.items():
        with pytest.raises(InvalidConfiguration) as info:
            load_config_file(str(tmp_path / name))
        assert (info.value.reason, info.value.value) == (reason, str(tmp_path / name))
        assert f"“{tmp_path / name}” {part}" in owner_words(info.value)
