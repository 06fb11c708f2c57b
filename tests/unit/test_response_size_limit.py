"""``pyapp.browser.http.read_text``: a body is read in chunks and refused past its limit.

The limit protects a page from an answer too large to hold; it must refuse exactly what is
larger, whatever the server declares or however the body is cut into chunks.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from pyapp.errors import UnusableResponse
from tests.unit.fake_browser import FakeBrowser, JsException, ReadResult

LIMIT = 1024


class Body:
    """A ReadableStream delivering ``chunks`` one read at a time."""

    def __init__(self, chunks: list[bytes], cancel_error: Exception | None = None) -> None:
        self.chunks = list(chunks)
        self.reads = 0
        self.cancelled = False
        self.cancel_error = cancel_error

    def getReader(self) -> Body:  # noqa: N802 - the DOM's name
        return self

    async def read(self) -> ReadResult:
        self.reads += 1
        return ReadResult(self.chunks.pop(0) if self.chunks else None)

    async def cancel(self) -> None:
        self.cancelled = True
        if self.cancel_error is not None:
            raise self.cancel_error


class Response:
    def __init__(self, body: Body | None, length: str | None = None, status: int = 200) -> None:
        self.body = body
        self.status = status
        self.headers = {} if length is None else {"content-length": length}


def read(response: Any, limit: int = LIMIT) -> str:
    from pyapp.browser.http import read_text

    return asyncio.run(read_text(response, limit))


def test_a_body_of_exactly_the_limit_is_read_whole(fake_browser: FakeBrowser) -> None:
    assert read(Response(Body([b"a" * LIMIT]))) == "a" * LIMIT
    assert read(Response(Body([b"b" * LIMIT]), length=str(LIMIT))) == "b" * LIMIT


def test_chunks_are_joined_in_order(fake_browser: FakeBrowser) -> None:
    assert read(Response(Body([b'{"a": ', b'"x"', b"}"]), length="13")) == '{"a": "x"}'


def test_a_body_over_the_limit_across_chunks_is_refused(fake_browser: FakeBrowser) -> None:
    # No chunk alone is over the limit: only their sum is.
    body = Body([b"a" * 600, b"b" * 600, b"c" * 10])
    with pytest.raises(UnusableResponse) as caught:
        read(Response(body, status=201))
    assert (caught.value.reason, caught.value.status, caught.value.limit_bytes) == (
        "too_large", 201, LIMIT)
    assert body.cancelled and body.chunks == [b"c" * 10]  # the rest is never read


def test_a_declared_length_over_the_limit_is_refused_unread(fake_browser: FakeBrowser) -> None:
    body = Body([b"small"])  # the header alone decides: the body is not read at all
    with pytest.raises(UnusableResponse) as caught:
        read(Response(body, length=str(LIMIT + 1), status=200))
    assert (caught.value.reason, caught.value.status, caught.value.limit_bytes) == (
        "too_large", 200, LIMIT)
    assert body.cancelled and body.reads == 0


def test_a_body_that_cannot_be_cancelled_is_refused_all_the_same(fake_browser: FakeBrowser
                                                                 ) -> None:
    body = Body([b"x"], cancel_error=JsException("TypeError", "already closed"))
    with pytest.raises(UnusableResponse):
        read(Response(body, length="999999"))


def test_a_declared_length_that_is_not_a_number_leaves_the_stream_to_decide(
        fake_browser: FakeBrowser) -> None:
    assert read(Response(Body([b"ok"]), length="lots")) == "ok"
    with pytest.raises(UnusableResponse):
        read(Response(Body([b"a" * (LIMIT + 1)]), length="lots"))


def test_no_body_is_empty_text(fake_browser: FakeBrowser) -> None:
    assert read(Response(None)) == ""


def test_text_is_utf8_without_a_byte_order_mark_and_bad_bytes_replaced(
        fake_browser: FakeBrowser) -> None:
    assert read(Response(Body(["\ufeff{\"name\": \"Zoë\"}".encode()]))) == '{"name": "Zoë"}'
    assert read(Response(Body([b"ok \xff\xfe end"]))) == "ok \ufffd\ufffd end"


@pytest.mark.parametrize("url, path", [
    ("http://127.0.0.1:8001/graphql", "/graphql"),
    ("http://127.0.0.1:8001/api/v1/graphql?x=1", "/api/v1/graphql"),
    ("http://h/p?a=1?b=2", "/p"),
    ("http://h/p?next=http://x/y", "/p"),        # a URL inside the query is not the path
    ("http://h", "/"),
])
def test_a_failed_request_names_only_the_path_it_asked(fake_browser: FakeBrowser, url: str,
                                                       path: str) -> None:
    from pyapp.browser.http import _path

    assert _path(url) == path
