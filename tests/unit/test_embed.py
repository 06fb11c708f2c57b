"""pyapp.embed and the config sources a site author can use: a file, data-* attributes, code."""

import asyncio
import json
from pathlib import Path

import pytest

from pyapp.client import SpeckleClient
from pyapp.config import Settings, config_from_attributes
from pyapp.embed import is_callback_url, resolve_settings
from pyapp.errors import InvalidConfiguration
from pyapp.page_urls import same_page
from pyapp.stores import Session, SessionStore
from tests.unit.fakes import FakeNavigator, MemoryStorage, PythonCrypto, ScriptedHttp, json_response

SERVER = "http://127.0.0.1:8001"


def write_config(tmp_path: Path, **values: object) -> str:
    path = tmp_path / "speckle.json"
    path.write_text(json.dumps(values))
    return str(path)


def test_attributes_accept_full_names_bare_names_and_dataset_keys() -> None:
    assert config_from_attributes({"data-server-url": SERVER, "app-id": "a",
                                   "storage": "local", "data-unknown": "x"}) == {
        "serverUrl": SERVER, "appId": "a", "storage": "local"}
    assert config_from_attributes({"serverUrl": SERVER, "appSecret": "s"}) == {
        "serverUrl": SERVER, "appSecret": "s"}


def test_boolean_attributes_are_parsed_and_blank_values_do_not_erase() -> None:
    assert config_from_attributes({"data-allow-insecure-http": ""}) == {"allowInsecureHttp": True}
    assert config_from_attributes({"data-allow-insecure-http": "false"}) == {
        "allowInsecureHttp": False}
    assert config_from_attributes({"data-app-id": "  "}) == {}


def test_settings_from_file_and_from_attributes(tmp_path: Path) -> None:
    path = write_config(tmp_path, serverUrl=SERVER, appId="from-file", dialect="documented")
    assert Settings.from_file(path) == Settings(SERVER, "from-file", dialect="documented")
    settings = Settings.from_attributes({"data-app-id": "from-attr"}, base={"serverUrl": SERVER})
    assert (settings.server_url, settings.app_id) == (SERVER, "from-attr")


@pytest.mark.parametrize("content", ["not json", "[1, 2]"])
def test_a_bad_config_file_is_an_invalid_configuration(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(InvalidConfiguration):
        Settings.from_file(str(path))
    with pytest.raises(InvalidConfiguration) as info:
        Settings.from_file(str(tmp_path / "missing.json"))
    assert info.value.reason == "file_missing" and "PyScript config" in str(info.value)


def test_resolve_layers_file_then_attributes_then_code(tmp_path: Path) -> None:
    path = write_config(tmp_path, serverUrl=SERVER, appId="file", storage="session")
    resolved = resolve_settings({"appSecret": "code"}, config_file=path,
                                attributes={"data-app-id": "attr"})
    assert resolved == Settings(SERVER, "attr", app_secret="code")
    # data-config names the file when no config_file is given.
    from_element = resolve_settings(attributes={"data-config": path, "data-storage": "local"})
    assert from_element == Settings(SERVER, "file", storage="local")


def test_resolve_keeps_a_settings_object_and_allows_nothing() -> None:
    given = Settings(SERVER, "a")
    assert resolve_settings(given, attributes={"data-app-id": "ignored"}) is given
    assert resolve_settings() is None
    assert resolve_settings(attributes={"data-return-to": "./"}) is None


def test_callback_urls_and_same_page() -> None:
    assert is_callback_url("https://site/cb.html?access_code=abc")
    assert is_callback_url("https://site/cb.html?x=1&denied=true")
    assert not is_callback_url("https://site/cb.html?x=1#access_code=abc")
    assert same_page("https://site/a/?access_code=1#top", "https://site/a/")
    assert not same_page("https://site/a/index.html", "https://site/a/")


def test_user_returns_the_profile_or_none() -> None:
    http = ScriptedHttp({"/graphql": json_response(200, {"data": {"activeUser": {
        "id": "u1", "name": "Ada Lovelace", "email": None, "avatar": None,
        "company": None, "role": "server:user"}}})})
    ss, ls = MemoryStorage(), MemoryStorage()
    client = SpeckleClient(Settings(SERVER, "demo-app"), crypto=PythonCrypto(), http=http,
                           navigator=FakeNavigator("http://127.0.0.1:8000/"),
                           session_storage=ss, local_storage=ls)
    assert asyncio.run(client.user()) is None and http.sent == []
    SessionStore(ss, ls).save(Session(SERVER, "demo-app", "t1", None, None, "auto", "session", 1))
    user = asyncio.run(client.user())
    assert user is not None and (user.name, user.initials) == ("Ada Lovelace", "AL")
    assert "activeUser" in json.loads(http.sent[0].body or "{}")["query"]


def test_user_survives_a_missing_email_scope() -> None:
    body = {"data": {"activeUser": {"id": "u1", "name": "Ada", "email": None}},
            "errors": [{"message": "no", "extensions": {"code": "FORBIDDEN",
                                                        "scope": "profile:email"}}]}
    http = ScriptedHttp({"/graphql": json_response(200, body)})
    ss, ls = MemoryStorage(), MemoryStorage()
    SessionStore(ss, ls).save(Session(SERVER, "demo-app", "t1", None, None, "auto", "session", 1))
    client = SpeckleClient(None, crypto=PythonCrypto(), http=http,
                           navigator=FakeNavigator("http://127.0.0.1:8000/"),
                           session_storage=ss, local_storage=ls)
    user = asyncio.run(client.user())
    assert user is not None and user.name == "Ada" and user.email is None

