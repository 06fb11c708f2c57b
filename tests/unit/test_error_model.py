"""The error model: one base class, a stable code per class, one wording per class."""

from __future__ import annotations

import inspect
import re

import pytest

from pyapp import errors
from pyapp.errors import SpeckleAuthError, SpeckleError
from pyapp.messages import message_for

CLASSES = [cls for _, cls in inspect.getmembers(errors, inspect.isclass)
           if issubclass(cls, SpeckleError) and cls is not SpeckleError]


def make(cls: type[SpeckleError]) -> SpeckleError:
    """An instance of ``cls`` with plausible arguments for its constructor."""
    arguments = {"server_message": "Access code expired", "status": 401, "scope": "x:y",
                 "message": "It failed.", "full": False, "data": None, "errors": None}
    params = inspect.signature(cls.__init__).parameters
    positional = [arguments.get(name, "detail") for name, p in params.items()
                  if name != "self" and p.kind is p.POSITIONAL_OR_KEYWORD]
    return cls(*(positional or ["What happened, for a developer."]))


def test_the_old_base_name_still_catches_everything() -> None:
    assert SpeckleAuthError is SpeckleError
    assert all(issubclass(cls, SpeckleAuthError) for cls in CLASSES)


def test_every_class_has_its_own_stable_code() -> None:
    codes = [cls.code for cls in CLASSES]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"[a-z]+(?:_[a-z]+)*", code) for code in codes)
    assert errors.LoginDenied.code == "login_denied"  # published: never renamed


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_every_class_is_worded_and_useful_to_a_developer(cls: type[SpeckleError]) -> None:
    error = make(cls)
    message = message_for(error)
    assert message.title != "Something went wrong" and message.detail
    assert str(error)  # the developer's text


def test_the_nearest_worded_ancestor_words_a_new_subclass() -> None:
    class Custom(errors.ServerUnavailable):
        code = "custom"

    assert message_for(Custom("down")).title == message_for(
        errors.ServerUnavailable("down")).title


def test_return_to_is_given_when_the_error_is_made() -> None:
    error = errors.ExchangeRejected("Access code expired", 401, return_to="https://a.example/")
    assert error.return_to == "https://a.example/" and error.status == 401
    assert errors.LoginDenied("no").return_to is None
