"""Run the site and a mock Speckle server on this machine, ready to log in.

    python -m devtools.serve [--port 8000] [--mock-port 8001] [--dialect documented|deployed]
                             [--popup] [--coop] [--fault ROUTE=NAME ...] [--slow-seconds S]

The site (the repository root) is served on ``127.0.0.1:PORT``; the mock Speckle server on
``127.0.0.1:MOCK_PORT`` has one app registered whose redirect URL is the site's
``callback.html``. The site's ``config.json`` is served with the mock's URL and the app's ID
filled in and ``editableSettings`` on (an override: the file is not changed), so the settings
form is shown and ready to use. ``--dialect deployed`` makes the mock behave like
a deployed Speckle server (no ``/oauth/token``; ``/auth/token`` with the app secret), and the
served config then carries the secret that dialect needs. ``--fault`` makes the mock fail
as ``python -m mock_speckle --fault`` does (``--fault /graphql=500``, ``--fault drop``).

``pyapp.zip`` is rebuilt when a module of ``pyapp/`` changed, and ``fast-start.snapshot.gz``
is served only while it was made from that zip: after an edit it answers 404 (the page
starts Python the normal way, with the edited code) while a new snapshot is built.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from devtools.fast_start import SNAPSHOT_NAME, LiveSnapshot
from devtools.pyapp_zip import WIDGET_ZIP_NAME, ZIP_NAME, LiveZip
from devtools.static_server import REPO_PRIVATE, StaticServer
from mock_speckle.__main__ import add_fault_options, apply_faults

REPO = Path(__file__).resolve().parent.parent

DEMO_APP_ID = "demo-app"
DEMO_APP_SECRET = "demo-secret"
DEMO_APP_NAME = "Speckle Login Demo"
DEMO_SCOPES = ["profile:read", "profile:email", "streams:read"]
RUNTIME_MARKERS = ("runtime/pyscript/core.js", "runtime/pyodide/pyodide.mjs")


def runtime_missing(root: Path) -> list[str]:
    """The runtime files the pages need that are not there."""
    return [m for m in RUNTIME_MARKERS if not (root / m).is_file()]


def site_config(
    root: Path, server_url: str, dialect: str, login_mode: str | None = None
) -> bytes:
    """The site's config.json (if any) with the mock server and the demo app filled in."""
    config: dict[str, Any] = {}
    path = root / "config.json"
    if path.is_file():
        try:
            loaded = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            loaded = None
        if isinstance(loaded, dict):
            config = loaded
    config["serverUrl"] = server_url
    config["appId"] = DEMO_APP_ID
    # The local playground lets you try other servers and apps; a deployed site never does
    # unless its owner says so in the file itself.
    config["editableSettings"] = True
    if dialect == "deployed":
        # A deployed server's only token endpoint requires the secret.
        config["appSecret"] = DEMO_APP_SECRET
    if login_mode:
        config["loginMode"] = login_mode
    return (json.dumps(config, indent=2) + "\n").encode()


def build_parser() -> argparse.ArgumentParser:
    """The command-line options of ``python -m devtools.serve`` (``./dev serve``)."""
    parser = argparse.ArgumentParser(
        prog="python -m devtools.serve",
        description="Serve the site with a mock Speckle server, ready to log in.",
    )
    parser.add_argument("--port", type=int, default=8000, help="site port (default: %(default)s)")
    parser.add_argument(
        "--mock-port", type=int, default=8001, help="mock Speckle port (default: %(default)s)"
    )
    parser.add_argument(
        "--dialect",
        choices=("documented", "deployed"),
        default="documented",
        help="documented: POST /oauth/token with PKCE; deployed: only /auth/token, like "
        "real Speckle servers (default: %(default)s)",
    )
    parser.add_argument(
        "--popup", action="store_true", help='serve config.json with "loginMode": "popup"'
    )
    parser.add_argument(
        "--coop",
        action="store_true",
        help="the mock sends Cross-Origin-Opener-Policy: same-origin on its consent pages "
        "(a login popup then loses window.opener)",
    )
    add_fault_options(parser)
    parser.add_argument("--verbose", action="store_true", help="log every site request")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    missing = runtime_missing(REPO)
    if missing:
        print(
            f"error: the self-hosted runtime is missing ({', '.join(missing)}).\n"
            "       run ./dev setup first.",
            file=sys.stderr,
        )
        return 2

    try:
        from mock_speckle import App, MockSpeckle
        from mock_speckle.stop_signal import wait_for_stop_signal
    except ImportError as exc:
        print(f"error: cannot import the mock Speckle server: {exc}", file=sys.stderr)
        return 2

    host = "127.0.0.1"
    try:
        mock = MockSpeckle(host=host, port=args.mock_port).start()
    except OSError as exc:
        print(f"error: cannot listen on {host}:{args.mock_port}: {exc}", file=sys.stderr)
        return 1
    site: StaticServer | None = None
    try:
        mock.dialect = args.dialect
        mock.consent_coop = args.coop
        apply_faults(mock, args)
        server_url = str(mock.url).rstrip("/")
        pyapp_zip = LiveZip(ZIP_NAME, REPO)
        try:
            site = StaticServer(
                REPO,
                host=host,
                port=args.port,
                deny=REPO_PRIVATE,
                overrides={
                    "config.json": site_config(
                        REPO, server_url, args.dialect, "popup" if args.popup else None
                    ),
                    # Rebuilt when pyapp/ changed, so an edit shows on the next reload.
                    ZIP_NAME: pyapp_zip,
                    WIDGET_ZIP_NAME: LiveZip(WIDGET_ZIP_NAME, REPO),
                    # Served only while it holds the pyapp above: after an edit the page
                    # starts the normal way until the rebuilt snapshot is ready.
                    SNAPSHOT_NAME: LiveSnapshot(pyapp_zip, REPO),
                },
                quiet=not args.verbose,
            ).start()
        except OSError as exc:
            print(f"error: cannot listen on {host}:{args.port}: {exc}", file=sys.stderr)
            return 1
        mock.register_app(
            App(
                id=DEMO_APP_ID,
                secret=DEMO_APP_SECRET,
                name=DEMO_APP_NAME,
                redirect_url=f"{site.url}callback.html",
                scopes=list(DEMO_SCOPES),
            )
        )
        print(
            "\n"
            f"  Open            {site.url}\n"
            f"  Server URL      {server_url}   (pre-filled, editable here)\n"
            f"  App ID          {DEMO_APP_ID}   (pre-filled, editable here)\n"
            f"  Mock dialect    {args.dialect}{'  (COOP on consent pages)' if args.coop else ''}\n"
            f"  Login mode      {'popup' if args.popup else 'redirect'}\n"
            + "".join(f"  Fault           {route} answers {name}\n"
                      for route, name in sorted(mock.faults.items()))
            + "\n"
            '  Click "Log in with Speckle", then "Authorize" on the mock consent page.\n'
            "  Press Ctrl-C to stop.\n",
            flush=True,
        )
        wait_for_stop_signal()
        print("\nstopping", flush=True)
        return 0
    finally:
        if site is not None:
            site.stop()
        mock.stop()


if __name__ == "__main__":
    sys.exit(main())
