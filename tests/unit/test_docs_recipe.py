"""The site owner's "Try it against the mock" page, run as written.

The page's JSON block is saved as the file it names, its shell blocks run in order (the
servers started and waited for), and then the login the page describes is done at the
HTTP level: the site under its subpath, the mock's consent page, Authorize, the redirect to
the site's callback page, the token exchange and the profile.

What differs from a person following the page, and why: the commands run in a scratch folder
that stands in for the checkout (``.venv`` is a link to the real one, the repository is on
``PYTHONPATH``), so nothing is written into the repository; ``./dev build`` is run as what it
is once set up, ``.venv/bin/python -m devtools.build_dist``; and the two ports the page names
are replaced by free ones, everywhere they appear, so that the test never fights a running
``./dev serve`` for them.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
PAGE = REPO_ROOT / "docs" / "owners" / "try-with-the-mock.md"
PATIENCE = 60
SERVERS = ("-m mock_speckle", "-m http.server")


def blocks(text: str, language: str) -> list[str]:
    """The fenced code blocks of ``language`` in a Markdown text, in order."""
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.MULTILINE | re.DOTALL)


def commands(block: str) -> list[str]:
    """The shell commands of a block: continuation lines joined, comments dropped."""
    joined = block.replace("\\\n", " ")
    return [line.split(" #", 1)[0].strip() for line in joined.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[bytes]) -> None:
    """Until ``url`` answers (a condition, not a delay); fails if the server died."""
    deadline = time.monotonic() + PATIENCE
    while True:
        assert process.poll() is None, f"the server for {url} exited"
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return
        except (urllib.error.URLError, ConnectionError, http.client.HTTPException):
            assert time.monotonic() < deadline, f"{url} never answered"
            time.sleep(0.1)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def post(url: str, data: bytes, content_type: str) -> tuple[int, dict[str, str], bytes]:
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, data=data, headers={"Content-Type": content_type})
    try:
        with opener.open(request, timeout=PATIENCE) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def recipe(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Follow the page up to its "Log in" step; yields the ports and files it used."""
    text = PAGE.read_text(encoding="utf-8")
    ports = {"8001": str(free_port()), "8080": str(free_port())}
    for old, new in ports.items():
        text = re.sub(rf"\b{old}\b", new, text)
    json_blocks, shell_blocks = blocks(text, "json"), blocks(text, "sh")
    assert len(json_blocks) == 1 and len(shell_blocks) == 3, "the page's steps changed"
    config_name = re.search(r"Save this as `([^`]+\.json)`", text)
    assert config_name, "the page no longer names the settings file"
    (tmp_path / config_name.group(1)).write_text(json_blocks[0], encoding="utf-8")
    (tmp_path / ".venv").symlink_to(REPO_ROOT / ".venv")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    servers: list[subprocess.Popen[bytes]] = []
    try:
        for block in shell_blocks:
            for command in commands(block):
                command = command.replace("./dev build", ".venv/bin/python -m devtools.build_dist")
                if any(server in command for server in SERVERS):
                    servers.append(subprocess.Popen(
                        ["bash", "-c", f"exec {command}"], cwd=tmp_path, env=env,
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
                    port = ports["8001"] if "mock_speckle" in command else ports["8080"]
                    wait_for(f"http://127.0.0.1:{port}/", servers[-1])
                else:
                    done = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env,
                                          capture_output=True, text=True, timeout=300)
                    assert done.returncode == 0, (command, done.stdout, done.stderr)
        assert len(servers) == 2
        yield {"site": f"http://localhost:{ports['8080']}/site/",
               "mock": f"http://127.0.0.1:{ports['8001']}", "folder": str(tmp_path),
               "text": text}
    finally:
        for server in servers:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
        for server in servers:
            try:
                server.wait(timeout=PATIENCE)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def test_the_page_logs_in_as_it_says(recipe: dict[str, str]) -> None:
    site, mock = recipe["site"], recipe["mock"]
    assert f"Open **<{site}>**" in recipe["text"]
    # The site, under its subpath, from the plain static server.
    with urllib.request.urlopen(site, timeout=PATIENCE) as resp:
        assert "Log in with Speckle" in resp.read().decode()
    with urllib.request.urlopen(site + "config.json", timeout=PATIENCE) as resp:
        config = json.loads(resp.read())
    assert config["serverUrl"] == mock
    app_id, secret = config["appId"], config["appSecret"]

    # The consent page the login goes to names the app and the mock's user.
    segment = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
    consent = f"{mock}/authn/verify/{app_id}/{segment}"
    with urllib.request.urlopen(consent, timeout=PATIENCE) as resp:
        page = resp.read().decode()
    assert "Speckle Login Demo" in page and "Ada Lovelace" in page

    # Authorize goes back to the site's callback page, under the subpath, which is there.
    status, headers, _ = post(consent, b"decision=authorize",
                              "application/x-www-form-urlencoded")
    assert status in (302, 303)
    location = headers["Location"]
    assert location.startswith(site + "callback.html?access_code=")
    with urllib.request.urlopen(location, timeout=PATIENCE) as resp:
        assert resp.status == 200
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["access_code"][0]

    # The deployed dialect's exchange, with the secret from the settings, then the profile.
    body = {"appId": app_id, "appSecret": secret, "accessCode": code, "challenge": segment}
    status, _, answer = post(mock + "/auth/token", json.dumps(body).encode(),
                             "application/json")
    assert status == 200, answer
    token = json.loads(answer)["token"]
    request = urllib.request.Request(
        mock + "/graphql", data=b'{"query": "{ activeUser { name } }"}',
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=PATIENCE) as resp:
        assert json.loads(resp.read())["data"]["activeUser"]["name"] == "Ada Lovelace"


def test_the_documented_endpoint_is_absent_as_on_a_deployed_server(
    recipe: dict[str, str],
) -> None:
    status, _, _ = post(recipe["mock"] + "/oauth/token", b"{}", "application/json")
    assert status == 404


def test_the_build_went_where_the_page_serves_from(recipe: dict[str, str]) -> None:
    site = Path(recipe["folder"]) / "www" / "site"
    assert (site / "index.html").is_file() and (site / "callback.html").is_file()
    # The shipped policy names the mock, so the pages may talk to it.
    assert recipe["mock"] in (site / "index.html").read_text(encoding="utf-8")


def test_commands_join_continuations_and_drop_comments() -> None:
    block = "a --x 1 \\\n    --y 2   # note\n# only a comment\nb\n"
    assert commands(block) == ["a --x 1      --y 2", "b"]
    assert shlex.split(commands(block)[0]) == ["a", "--x", "1", "--y", "2"]
