"""``python -m mock_speckle`` and ``./dev serve``: every switch of the mock has an option,
every option says what it does, and a fault named on the command line is served."""

from __future__ import annotations

import argparse
import http.client
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from devtools.serve import build_parser as serve_parser
from mock_speckle import MockSpeckle
from mock_speckle.__main__ import FAULT_HELP, configure, parse_args, parse_fault
from mock_speckle.__main__ import build_parser as mock_parser
from mock_speckle.server import FAULT_NAMES

REPO_ROOT = Path(__file__).resolve().parents[2]
PATIENCE = 60


@pytest.mark.parametrize("parser", [mock_parser, serve_parser],
                         ids=["mock_speckle", "devtools.serve"])
def test_every_option_has_a_help_line(parser: Callable[[], argparse.ArgumentParser]) -> None:
    actions = [a for a in parser()._actions if a.dest != "help"]
    assert actions
    for action in actions:
        assert action.help and len(action.help) > 10, action.option_strings


def test_every_fault_has_words_and_a_flag() -> None:
    assert set(FAULT_HELP) == set(FAULT_NAMES)
    for name in FAULT_NAMES:
        assert parse_fault(f"/graphql={name}") == ("/graphql", name)
    assert parse_fault("drop") == ("*", "drop")
    assert parse_fault("*=500") == ("*", "500")


@pytest.mark.parametrize("spec", ["/graphql=teapot", "graphql=500", "/graphql="])
def test_a_wrong_fault_is_refused_by_name(spec: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        parse_fault(spec)


def test_every_switch_a_test_can_flip_has_an_option() -> None:
    mock = MockSpeckle()
    configure(mock, parse_args([
        "--app-id", "site", "--app-secret", "s3", "--app-name", "Site",
        "--redirect-url", "http://localhost:8080/site/callback.html", "--scopes", "profile:read",
        "--dialect", "deployed", "--oauth-token-absent-as", "frontend",
        "--frontend-without-cors", "--proxy-target", "127.0.0.1:3000", "--code-ttl", "5",
        "--coop", "--consent-user", "nobody", "--fault", "/oauth/token=500",
        "--fault", "/graphql=slow", "--slow-seconds", "0.5",
        "--redirect-target", "http://127.0.0.1:9",
    ]))
    app = mock.apps["site"]
    assert (app.secret, app.name, app.scopes) == ("s3", "Site", ["profile:read"])
    assert app.redirect_url == "http://localhost:8080/site/callback.html"
    assert mock.dialect == "deployed" and mock.oauth_token_absent_as == "frontend"
    assert mock.oauth_frontend_cors is False and mock.frontend_proxy_target == "127.0.0.1:3000"
    assert mock.code_ttl_seconds == 5 and mock.consent_coop is True
    assert mock.consent_user_id == "nobody"
    assert mock.faults == {"/oauth/token": "500", "/graphql": "slow"}
    assert mock.slow_seconds == 0.5 and mock.redirect_target == "http://127.0.0.1:9"


def test_the_defaults_leave_the_mock_as_python_makes_it() -> None:
    made, configured = MockSpeckle(), MockSpeckle()
    configure(configured, parse_args([]))
    for name in ("dialect", "oauth_token_absent_as", "oauth_frontend_cors",
                 "frontend_proxy_target", "code_ttl_seconds", "consent_coop",
                 "consent_user_id", "faults", "slow_seconds", "redirect_target"):
        assert getattr(configured, name) == getattr(made, name), name


def test_a_fault_named_on_the_command_line_is_served() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "mock_speckle", "--port", "0", "--quiet",
         "--fault", "/graphql=500", "--fault", "/auth/logout=drop"],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+", line)
        assert match, line
        base = match.group(0)
        banner = [proc.stdout.readline() for _ in range(3)]
        assert "Fault: /auth/logout answers 'drop'" in banner[1]
        assert "Fault: /graphql answers '500'" in banner[2]
        request = urllib.request.Request(
            base + "/graphql", data=b'{"query":"{ serverInfo { name } }"}',
            headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as failed:
            urllib.request.urlopen(request, timeout=PATIENCE)
        assert failed.value.code == 500
        logout = urllib.request.Request(base + "/auth/logout", data=b"{}",
                                        headers={"Content-Type": "application/json"})
        with pytest.raises((urllib.error.URLError, ConnectionError,
                            http.client.HTTPException)) as dropped:
            urllib.request.urlopen(logout, timeout=PATIENCE)
        assert not isinstance(dropped.value, urllib.error.HTTPError)
        # Routes without a fault answer as usual.
        with urllib.request.urlopen(base + "/", timeout=PATIENCE) as page:
            assert b"Speckle Mock Server" in page.read()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=PATIENCE) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
