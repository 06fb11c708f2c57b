"""Command line: ``python -m mock_speckle`` serves one registered app until Ctrl-C."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .core import MockSpeckle
from .models import DEFAULT_APP_SCOPES, App
from .server import ABSENT_MODES, DIALECTS


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command-line options; defaults match the local development setup."""
    parser = argparse.ArgumentParser(
        prog="python -m mock_speckle",
        description="Serve an offline Speckle server with one registered app.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--app-id", default="demo-app")
    parser.add_argument("--app-secret", default="demo-secret")
    parser.add_argument("--app-name", default="Speckle Login Demo")
    parser.add_argument("--redirect-url", default="http://127.0.0.1:8000/callback.html")
    parser.add_argument("--scopes", default=",".join(DEFAULT_APP_SCOPES),
                        help="comma-separated scopes granted to the app")
    parser.add_argument("--dialect", choices=DIALECTS, default="documented")
    parser.add_argument("--oauth-token-absent-as", choices=ABSENT_MODES, default="404",
                        help="how /oauth/token answers in the deployed dialect")
    parser.add_argument("--code-ttl", type=float, default=600,
                        help="access code lifetime in seconds")
    parser.add_argument("--coop", action="store_true",
                        help="send Cross-Origin-Opener-Policy: same-origin on consent pages")
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server in the foreground; Ctrl-C or SIGTERM stops it cleanly."""
    args = parse_args(argv)
    mock = MockSpeckle(host=args.host, port=args.port, verbose=not args.quiet)
    mock.register_app(App(
        id=args.app_id,
        secret=args.app_secret,
        name=args.app_name,
        redirect_url=args.redirect_url,
        scopes=[s.strip() for s in args.scopes.split(",") if s.strip()],
    ))
    mock.dialect = args.dialect
    mock.oauth_token_absent_as = args.oauth_token_absent_as
    mock.code_ttl_seconds = args.code_ttl
    mock.consent_coop = args.coop

    try:
        mock.start()
    except OSError as exc:
        print(f"mock_speckle: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    print(f"Speckle mock server ({mock.dialect} dialect) at {mock.url}", flush=True)
    print(f"App {args.app_id!r} redirects to {args.redirect_url}", flush=True)
    mock.serve_forever()  # until Ctrl-C or SIGTERM
    print("Speckle mock server stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
