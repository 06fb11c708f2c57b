"""Command line: ``python -m mock_speckle`` serves one registered app until Ctrl-C.

Every switch of :class:`~mock_speckle.core.MockSpeckle` that a test flips from Python has
an option here too, faults included (``--fault ROUTE=NAME``), so a site can be tried against
a server that fails in the same ways.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .core import MockSpeckle
from .models import DEFAULT_APP_SCOPES, App
from .server import ABSENT_MODES, DEEP_JSON_LEVELS, DIALECTS, FAULT_NAMES, HUGE_JSON_BYTES

#: What each fault answers, for ``--help`` and the documentation.
FAULT_HELP = {
    "500": "HTTP 500 with a plain-text body",
    "504": "HTTP 504 with a gateway's HTML page",
    "non-json": "HTTP 200 with an HTML maintenance page instead of JSON",
    "slow": "the normal answer, after --slow-seconds",
    "drop": "the connection is closed without a single byte of answer",
    "deep-json": f"HTTP 200 with JSON nested {DEEP_JSON_LEVELS:,} levels deep",
    "huge-json": f"HTTP 200 with {HUGE_JSON_BYTES // 2**20} MiB of JSON",
    "errors-number": 'a GraphQL answer of the wrong shape: {"errors": 5}',
    "extensions-text": "a GraphQL error whose extensions are a string",
    "bad-token": "a token answer whose token holds a line break",
    "redirect": "HTTP 307 to the same path on --redirect-target",
    "404": 'HTTP 404 "Failed to find object.", as the objects routes answer an unknown object',
    "403": "HTTP 403 with no body, as the objects routes refuse a token",
    "cut-stream": "on the objects routes: half the body, then the connection is closed",
    "malformed-line": "on the objects routes: the third object's JSON cut in half",
}


def parse_fault(spec: str) -> tuple[str, str]:
    """``ROUTE=NAME`` as ``(route, name)``; ``NAME`` alone means every route (``*``).

    A route covers the paths below it (``/authn/verify`` covers the consent pages).
    Raises :class:`argparse.ArgumentTypeError` for an unknown fault or a route without ``/``.
    """
    route, sep, name = spec.rpartition("=")
    if not sep:
        route = "*"
    route = route.strip() or "*"
    name = name.strip()
    if name not in FAULT_NAMES:
        raise argparse.ArgumentTypeError(
            f"unknown fault {name!r}; use one of {', '.join(FAULT_NAMES)}")
    if route != "*" and not route.startswith("/"):
        raise argparse.ArgumentTypeError(
            f"route {route!r} must start with / (for example /oauth/token), or be *")
    return route, name


def add_fault_options(parser: argparse.ArgumentParser) -> None:
    """``--fault`` and ``--slow-seconds``: shared with ``python -m devtools.serve``."""
    names = "; ".join(f"{name}: {words}" for name, words in FAULT_HELP.items())
    parser.add_argument(
        "--fault", metavar="ROUTE=NAME", action="append", type=parse_fault, default=[],
        help="make requests to ROUTE (and the paths below it; * for every route) fail the "
        "way NAME says; repeat for more routes. CORS preflights are never faulted. "
        f"Faults: {names}. Example: --fault /oauth/token=500")
    parser.add_argument(
        "--slow-seconds", type=float, default=5.0, metavar="SECONDS",
        help="how long a 'slow' fault waits before answering (default: %(default)s)")


def apply_faults(mock: MockSpeckle, args: argparse.Namespace) -> None:
    """Switch on the faults of :func:`add_fault_options` on ``mock``."""
    mock.slow_seconds = args.slow_seconds
    for route, name in args.fault:
        mock.faults[route] = name


def build_parser() -> argparse.ArgumentParser:
    """The command-line options; defaults match the local development setup."""
    parser = argparse.ArgumentParser(
        prog="python -m mock_speckle",
        description="Serve an offline Speckle server with one registered app, until Ctrl-C. "
        "Its consent page signs in as the mock's user Ada Lovelace.",
    )
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8001,
                        help="port to listen on; 0 picks a free one (default: %(default)s)")
    parser.add_argument("--app-id", default="demo-app",
                        help="the registered app's ID (default: %(default)s)")
    parser.add_argument("--app-secret", default="demo-secret",
                        help="the app's secret, which /auth/token requires "
                        "(default: %(default)s)")
    parser.add_argument("--app-name", default="Speckle Login Demo",
                        help="the app's name, shown on the consent page (default: %(default)s)")
    parser.add_argument("--redirect-url", default="http://127.0.0.1:8000/callback.html",
                        help="the app's registered redirect URL: the full URL of the site's "
                        "callback.html (default: %(default)s)")
    parser.add_argument("--scopes", default=",".join(DEFAULT_APP_SCOPES),
                        help="comma-separated scopes granted to the app (default: %(default)s)")
    parser.add_argument("--dialect", choices=DIALECTS, default="documented",
                        help="documented: POST /oauth/token with the PKCE verifier; deployed: "
                        "no /oauth/token, only /auth/token with the app secret, like "
                        "Speckle servers deployed today (default: %(default)s)")
    parser.add_argument("--oauth-token-absent-as", choices=ABSENT_MODES, default="404",
                        help="how /oauth/token answers in the deployed dialect: 404 (the API "
                        "server alone), 504 (a development proxy with no frontend running), "
                        "frontend (the web frontend's HTML page, as behind Speckle's ingress) "
                        "(default: %(default)s)")
    parser.add_argument("--frontend-without-cors", action="store_true",
                        help="with --oauth-token-absent-as frontend: answer /oauth/* without "
                        "CORS headers, which a browser reports like a dropped connection")
    parser.add_argument("--proxy-target", default="127.0.0.1:8080", metavar="HOST:PORT",
                        help="the frontend named in the 504 body of --oauth-token-absent-as "
                        "504 (default: %(default)s)")
    parser.add_argument("--code-ttl", type=float, default=600, metavar="SECONDS",
                        help="access code lifetime in seconds (default: %(default)s)")
    parser.add_argument("--coop", action="store_true",
                        help="send Cross-Origin-Opener-Policy: same-origin on consent pages "
                        "(a login popup then loses window.opener)")
    parser.add_argument("--consent-user", default=None, metavar="USER_ID",
                        help="the user signed in on the consent page (default: the first "
                        "fixture user, Ada Lovelace); an unknown ID means nobody is, and the "
                        "consent page says so")
    add_fault_options(parser)
    parser.add_argument("--redirect-target", default="", metavar="URL",
                        help="where the 'redirect' fault sends requests: another origin, "
                        "such as a second mock (default: a closed port on 127.0.0.1)")
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The options given on the command line (``argv``, or the process's)."""
    return build_parser().parse_args(argv)


def configure(mock: MockSpeckle, args: argparse.Namespace) -> None:
    """Register the app and set every switch the options name."""
    mock.register_app(App(
        id=args.app_id,
        secret=args.app_secret,
        name=args.app_name,
        redirect_url=args.redirect_url,
        scopes=[s.strip() for s in args.scopes.split(",") if s.strip()],
    ))
    mock.dialect = args.dialect
    mock.oauth_token_absent_as = args.oauth_token_absent_as
    mock.oauth_frontend_cors = not args.frontend_without_cors
    mock.frontend_proxy_target = args.proxy_target
    mock.code_ttl_seconds = args.code_ttl
    mock.consent_coop = args.coop
    if args.consent_user is not None:
        mock.consent_user_id = args.consent_user
    mock.redirect_target = args.redirect_target
    apply_faults(mock, args)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server in the foreground; Ctrl-C or SIGTERM stops it cleanly."""
    args = parse_args(argv)
    mock = MockSpeckle(host=args.host, port=args.port, verbose=not args.quiet)
    configure(mock, args)

    try:
        mock.start()
    except OSError as exc:
        print(f"mock_speckle: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    print(f"Speckle mock server ({mock.dialect} dialect) at {mock.url}", flush=True)
    print(f"App {args.app_id!r} redirects to {args.redirect_url}", flush=True)
    for route, name in sorted(mock.faults.items()):
        print(f"Fault: {route} answers {name!r} ({FAULT_HELP[name]})", flush=True)
    mock.serve_forever()  # until Ctrl-C or SIGTERM
    print("Speckle mock server stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
