"""``StrictUrlParser`` on its own: what it refuses, and the fields it gives for the rest.

It stands in for the browser's URL parser under CPython, so each refusal below is an input
where Python's and the browser's readings could differ; and the server-URL rules must hold
whatever a parser says, so they are also run against a parser that accepts anything.
"""

from __future__ import annotations

import pytest

from pyapp.errors import InvalidConfiguration
from pyapp.ports import ParsedUrl
from pyapp.server_url import StrictUrlParser, check_server_url, is_loopback_host

REFUSED = [
    "http://a b@example.com/",        # a space, even in the user info
    "http://a\x00@example.com/",      # a control character
    "http://é@example.com/",          # non-ASCII
    "http://a\\b@example.com/",       # a backslash: a path separator to the browser
    "ftp://example.com/",             # not a web scheme, though it has //
    "http://[zz]/",                   # brackets around what is not IPv6
    "https://127.1/",                 # IPv4 shorthand: the browser reads 127.0.0.1
    "https://a.b.0x1/",               # a hexadecimal last label makes it an IPv4 address
    "https://0x7f.0.0.1/",
    "http://exa_mple.com/",           # not a DNS host name
    "http://example.com/a/../b",      # dot segments the browser would resolve
    "http://example.com/a/./b",
]


@pytest.mark.parametrize("text", REFUSED)
def test_ambiguous_urls_are_refused(text: str) -> None:
    assert StrictUrlParser().parse(text) is None


def test_fields_are_split_as_the_browser_splits_them() -> None:
    parse = StrictUrlParser().parse
    assert parse("http://example.com:80/a?x=1#top") == ParsedUrl(
        "http:", "", "", "example.com", "", "/a", "?x=1", "#top")
    assert parse("https://example.com:8443") == ParsedUrl(
        "https:", "", "", "example.com", "8443", "/", "", "")
    # The user info is not the host, whatever it holds.
    assert parse("http://a%20b:pw@example.com/") == ParsedUrl(
        "http:", "a%20b", "pw", "example.com", "", "/", "", "")


def test_a_host_with_one_stray_bracket_is_not_loopback() -> None:
    assert is_loopback_host("[::1]") and is_loopback_host("127.0.0.1")
    assert not is_loopback_host("x127.0.0.1]") and not is_loopback_host("[127.0.0.1x")


class Lenient:
    """A parser that says every text is ``url``: the rules must not rely on it refusing."""

    def __init__(self, search: str = "", hash: str = "") -> None:
        self.url = ParsedUrl("http:", "", "", "localhost", "", "/", search, hash)

    def parse(self, text: str) -> ParsedUrl | None:
        return self.url


@pytest.mark.parametrize("text", [
    "http://evil.test\\.localhost", "http://evil.test .localhost", "http://local\x00host",
])
def test_backslashes_spaces_and_control_characters_are_refused_whatever_the_parser(
        text: str) -> None:
    with pytest.raises(InvalidConfiguration):
        check_server_url(text, parser=Lenient())


@pytest.mark.parametrize("search, hash", [("?a", ""), ("", "#f")])
def test_a_query_or_fragment_the_parser_reports_is_refused(search: str, hash: str) -> None:
    with pytest.raises(InvalidConfiguration):
        check_server_url("http://localhost", parser=Lenient(search, hash))


@pytest.mark.parametrize("text", ["https://example.com/?", "https://example.com/#"])
def test_an_empty_query_or_fragment_is_refused_too(text: str) -> None:
    with pytest.raises(InvalidConfiguration):
        check_server_url(text)


def test_the_browser_parser_hands_over_every_field_as_text(fake_browser: object) -> None:
    from pyapp.browser.url import BrowserUrlParser

    assert BrowserUrlParser().parse("https://u:pw@Example.com:8443/a?x=1#top") == ParsedUrl(
        "https:", "u", "pw", "example.com", "8443", "/a", "?x=1", "#top")
    assert BrowserUrlParser().parse("not a url") is None
    with pytest.raises(InvalidConfiguration):  # what the rules make of those fields
        check_server_url("https://u:pw@example.com", parser=BrowserUrlParser())


def test_a_bracketed_host_that_is_not_ipv6_is_refused() -> None:
    # Python's parser lets an "IPvFuture" literal through; no browser connects to one.
    assert StrictUrlParser().parse("http://[v1.x]/") is None


class Gives:
    """A parser that reports ``url`` for any text."""

    def __init__(self, **fields: str) -> None:
        base = {"protocol": "https:", "username": "", "password": "", "hostname": "example.com",
                "port": "", "pathname": "/", "search": "", "hash": ""}
        self.url = ParsedUrl(**{**base, **fields})

    def parse(self, text: str) -> ParsedUrl | None:
        return self.url


@pytest.mark.parametrize("text, parser, reason, value", [
    ("https://example.com", Gives(protocol="ws:"), "not_https", "ws:"),
    ("https://example.com", Gives(search="?a"), "has_query_or_fragment", None),
    ("https://example.com", Gives(hostname=""), "no_host", "https://example.com"),
    ("https://u@example.com", Gives(hostname=""), "no_host", None),  # may hold a password
    ("http:example.com", None, "not_a_full_url", "http:example.com"),
    ("https:/example.com", None, "not_a_full_url", "https:/example.com"),
    ("://example.com", None, "not_https", ":"),
])
def test_each_refusal_names_its_rule_and_the_part_at_fault(
        text: str, parser: Gives | None, reason: str, value: str | None) -> None:
    with pytest.raises(InvalidConfiguration) as caught:
        check_server_url(text, parser=parser)
    assert (caught.value.reason, caught.value.setting, caught.value.value) == (
        reason, "serverUrl", value)
