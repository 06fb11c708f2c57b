"""Page addresses: whether a URL is on this site, where a login may return, and the callback
parameters Speckle appends (which must never stay in the address bar or in history).

Plain Python on ``urllib.parse``, shared by the login halves (``flow``), the popup rules
(``popup``), the client and the widget.
"""

from __future__ import annotations

# urllib.parse is imported where it is used: with the ipaddress module it pulls in, it
# costs ~70 ms of a page's start-up in Pyodide, and a signed-out page never needs it.

# Parameters Speckle appends to the registered redirect URL; they must not stay in history.
CALLBACK_PARAMS = frozenset({"access_code", "denied"})


def same_origin(url: str, base: str) -> bool:
    """True when ``url`` (resolved against ``base``) has ``base``'s scheme, host and port."""
    from urllib.parse import urljoin, urlsplit

    a, b = urlsplit(urljoin(base, url)), urlsplit(base)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc) and a.scheme in ("http", "https")


def safe_return_to(return_to: str | None, page_url: str, fallback: str = "./") -> str:
    """An absolute same-origin URL to send the user back to; anything else becomes ``fallback``."""
    from urllib.parse import urljoin

    default = urljoin(page_url, fallback)
    # Text the browser would read differently from Python (it drops tabs and newlines and
    # reads "\" as "/") is refused outright, as is anything Python cannot even split.
    if not return_to or any(c == "\\" or not c.isprintable() or c.isspace() for c in return_to):
        return default
    try:
        if not same_origin(return_to, page_url):
            return default
        return strip_callback_params(urljoin(page_url, return_to))
    except ValueError:  # e.g. "http://[x": an unbalanced IPv6 bracket
        return default


def strip_callback_params(url: str) -> str:
    """``url`` without ``access_code``/``denied``, other query parameters and hash kept."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    kept = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k not in CALLBACK_PARAMS
    ]
    return urlunsplit(parts._replace(query=urlencode(kept)))


def same_page(a: str, b: str) -> bool:
    """True when two URLs name the same page (callback parameters and fragment ignored)."""
    return strip_callback_params(a).split("#", 1)[0] == strip_callback_params(b).split("#", 1)[0]
