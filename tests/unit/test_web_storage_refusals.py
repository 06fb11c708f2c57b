"""``pyapp.browser.WebStorage`` when the browser refuses: blocked storage or a full one.

Whichever operation the browser refuses, the page gets one :class:`StorageUnavailable` that
says which of the two it was (``full``), and never the browser's own text.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pytest

from pyapp.errors import StorageUnavailable
from tests.unit.fake_browser import FakeBrowser, JsException

BLOCKED = JsException("SecurityError", "The operation is insecure.")
FULL = JsException("QuotaExceededError", "The quota has been exceeded.")


class RefusingArea:
    """A storage area that throws ``error`` from every operation."""

    def __init__(self, error: JsException) -> None:
        self.error = error

    def _refuse(self, *args: Any) -> Any:
        raise self.error

    getItem = setItem = removeItem = key = _refuse  # noqa: N815 - the DOM's names

    @property
    def length(self) -> int:
        raise self.error


OPERATIONS: dict[str, Callable[[Any], object]] = {
    "get": lambda storage: storage.get("k"),
    "set": lambda storage: storage.set("k", "v"),
    "remove": lambda storage: storage.remove("k"),
    "keys": lambda storage: storage.keys(),
}


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("error, full", [(BLOCKED, False), (FULL, True)])
def test_each_refused_operation_says_whether_storage_is_full(
        fake_browser: FakeBrowser, operation: str, error: JsException, full: bool) -> None:
    from pyapp.browser import WebStorage

    with pytest.raises(StorageUnavailable) as caught:
        OPERATIONS[operation](WebStorage(RefusingArea(error)))
    assert caught.value.full is full
    assert str(error) not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


@pytest.mark.parametrize("error, full", [(BLOCKED, False), (FULL, True)])
def test_a_storage_the_page_may_not_even_look_up_is_unavailable(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch, error: JsException,
        full: bool) -> None:
    from pyapp.browser import WebStorage

    class Window:
        @property
        def sessionStorage(self) -> Any:  # noqa: N802 - the DOM's name
            raise error  # what a browser blocking site data does on the lookup itself

    monkeypatch.setattr(sys.modules["js"], "window", Window())
    with pytest.raises(StorageUnavailable) as caught:
        WebStorage("sessionStorage").get("k")
    assert caught.value.full is full


@pytest.mark.parametrize("error", [
    JsException("QuotaExceededError", ""),               # known by its name
    JsException("Error", "QuotaExceededError: full"),    # or only by its message
    JsException("NS_ERROR_DOM_QUOTA_REACHED", ""),       # as older Firefox releases name it
])
def test_a_full_storage_is_recognised_by_name_or_message(fake_browser: FakeBrowser,
                                                         error: JsException) -> None:
    from pyapp.browser import WebStorage

    with pytest.raises(StorageUnavailable) as caught:
        WebStorage(RefusingArea(error)).set("k", "v")
    assert caught.value.full is True


def test_a_storage_looked_up_by_name_is_the_windows(fake_browser: FakeBrowser) -> None:
    from pyapp.browser import WebStorage

    WebStorage("localStorage").set("k", "v")
    assert fake_browser.local_storage.items == {"k": "v"}
    assert fake_browser.session_storage.items == {}
