"""A refused setting says which one and what it got, as facts a message can word."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from pyapp.config import Settings, parse_flag
from pyapp.errors import InvalidConfiguration

VALID = {"serverUrl": "https://app.speckle.systems", "appId": "demo-app"}


@pytest.mark.parametrize("value, got", [
    (True, "a boolean"), (3, "a number"), (2.5, "a number"), (["x"], "a list"),
    ({"a": 1}, "an object"), (b"x", "bytes"),
])
def test_a_text_setting_of_another_type_names_the_setting_and_what_it_got(
        value: Any, got: str) -> None:
    for key in ("appId", "serverUrl", "dialect", "loginMode"):
        with pytest.raises(InvalidConfiguration) as caught:
            Settings.from_mapping({**VALID, key: value})
        assert (caught.value.reason, caught.value.setting, caught.value.got) == (
            "not_text", key, got)


@pytest.mark.parametrize("value, got", [("maybe", "text"), (2, "a number"), ([], "a list")])
def test_a_flag_that_is_not_yes_or_no_names_what_it_got(value: Any, got: str) -> None:
    with pytest.raises(InvalidConfiguration) as caught:
        Settings.from_mapping({**VALID, "allowInsecureHttp": value})
    assert (caught.value.reason, caught.value.setting, caught.value.got) == (
        "not_a_flag", "allowInsecureHttp", got)
    with pytest.raises(InvalidConfiguration) as caught:
        parse_flag(value)
    assert caught.value.setting == "allowInsecureHttp"  # the flag there is


def test_a_flag_from_an_attribute_is_named_by_its_key() -> None:
    with pytest.raises(InvalidConfiguration) as caught:
        Settings.from_attributes({**{"data-server-url": VALID["serverUrl"],
                                     "data-app-id": "demo-app"},
                                  "data-allow-insecure-http": "perhaps"})
    assert (caught.value.setting, caught.value.got) == ("allowInsecureHttp", "text")


@pytest.mark.parametrize("data, got", [(["serverUrl"], "a list"), ("x", "text"),
                                       (None, "NoneType")])
def test_settings_that_are_not_an_object_say_what_they_are(data: Any, got: str) -> None:
    with pytest.raises(InvalidConfiguration) as caught:
        Settings.from_mapping(data)
    assert (caught.value.reason, caught.value.got) == ("not_an_object", got)


def test_settings_made_in_code_with_wrong_types_name_the_setting() -> None:
    cases: list[tuple[dict[str, Any], str, str, str | None]] = [
        ({"app_id": 7}, "not_text", "appId", "a number"),
        ({"server_url": None}, "not_text", "serverUrl", "NoneType"),
        ({"app_secret": 1.5}, "not_text", "appSecret", "a number"),
        ({"allow_insecure_http": "yes"}, "not_a_flag", "allowInsecureHttp", "text"),
        ({"login_mode": "sideways"}, "not_one_of", "loginMode", None),
    ]
    for change, reason, setting, got in cases:
        settings = Settings(**{"server_url": VALID["serverUrl"], "app_id": "demo-app", **change})
        with pytest.raises(InvalidConfiguration) as caught:
            settings.validated()
        assert (caught.value.reason, caught.value.setting, caught.value.got) == (
            reason, setting, got)
    with pytest.raises(InvalidConfiguration) as caught:
        Settings(VALID["serverUrl"], "demo-app", login_mode="sideways").validated()  # type: ignore[arg-type]
    assert caught.value.allowed == ("redirect", "popup")


def test_unknown_keys_are_listed_for_the_developer(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="pyapp"):
        Settings.from_mapping({**VALID, "appID": "x", "severUrl": "y"})
    (record,) = caplog.records
    assert record.getMessage().startswith("pyapp: unknown config key(s) ignored: appID, severUrl "
                                          "(known: serverUrl, appId, ")


def test_an_app_id_that_is_not_text_is_refused_as_such() -> None:
    from pyapp.config import validate_app_id

    with pytest.raises(InvalidConfiguration) as caught:
        validate_app_id(7)  # type: ignore[arg-type]
    assert (caught.value.reason, caught.value.setting, caught.value.got) == (
        "not_text", "appId", "a number")
