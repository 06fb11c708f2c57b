"""The server URL check, applied to what the browser's URL parser says.

Python's ``urllib.parse`` and the browser's URL parser (the WHATWG URL Standard) disagree on
inputs such as ``http://evil.test\\.localhost``: Python sees a host ending in ``.localhost``,
the browser treats the backslash as a path separator and talks to ``evil.test``. So the host
that decides "https, or plain http to loopback only" is the one the *browser* will connect
to: the rules below run on the fields of a :class:`~pyapp.ports.ParsedUrl`, which in a page
come from ``new URL(text)`` (``pyapp.browser`` installs that parser when it is imported).

Under CPython (unit tests, tools) :class:`StrictUrlParser` stands in. It is deliberately
narrower than the browser: it refuses what it cannot split the way the browser would, so
where the two parsers disagree, the answer is "refused", never a different host.
"""

from __future__ import annotations

import re

from .errors import ConfigurationReason, InvalidConfiguration
from .ports import ParsedUrl, UrlParser

# Schemes that are never a server (``localhost:3000`` also parses with a "scheme").
_NON_WEB_SCHEMES = frozenset({"javascript", "data", "vbscript", "file", "blob", "about"})
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
# What the strict parser accepts as a host name: ASCII labels, as DNS has them.
_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_REG_NAME_RE = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*$")
# Path characters the browser leaves as they are (RFC 3986 pchar, with %XX escapes).
_PATH_RE = re.compile(r"^(?:/(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})*)+$")
_DEFAULT_PORTS = {"http:": "80", "https:": "443"}


def is_loopback_host(host: str) -> bool:
    """True for hosts that never leave this machine (safe for plain http).

    ``host`` is a host as the browser's parser gives it: lower-cased, IPv4 in dotted form,
    IPv6 in brackets. Browsers resolve ``localhost`` and ``*.localhost`` to loopback
    themselves, without asking DNS.
    """
    host = host.lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        import ipaddress  # imported here: it is slow to import and only needed on login

        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class StrictUrlParser:
    """A :class:`~pyapp.ports.UrlParser` for CPython that refuses anything ambiguous.

    It agrees with the browser's parser on every URL it accepts (a property test checks
    that against Chromium); what it cannot be sure of (non-ASCII or numeric-shorthand
    hosts, odd brackets, percent signs in the host) it refuses.
    """

    def parse(self, text: str) -> ParsedUrl | None:
        from urllib.parse import urlsplit

        if any(c == "\\" or c.isspace() or not c.isprintable() or not c.isascii() for c in text):
            return None
        try:
            parts = urlsplit(text)
            port = parts.port
            hostname = parts.hostname or ""
        except ValueError:
            return None
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not text[len(scheme) + 1:].startswith("//"):
            return None
        authority = parts.netloc.rpartition("@")[2]
        if authority.startswith("["):
            literal, close, rest = authority[1:].partition("]")
            if not close or (rest and not re.fullmatch(r":[0-9]*", rest)):
                return None
            host = f"[{_ipv6(literal)}]" if _ipv6(literal) else ""
        else:
            if "[" in authority or "]" in authority or "%" in authority:
                return None
            host = hostname.rstrip(".") if hostname.endswith(".") else hostname
            if host != hostname or not _REG_NAME_RE.match(host) or _looks_numeric(host):
                return None
        path = parts.path or "/"
        if not _PATH_RE.match(path) or any(seg in (".", "..") for seg in path.split("/")):
            return None  # the browser would encode or resolve it: not worth predicting
        if not host:
            return None
        protocol = scheme + ":"
        port_text = "" if port is None or str(port) == _DEFAULT_PORTS[protocol] else str(port)
        return ParsedUrl(
            protocol=protocol,
            username=parts.username or "",
            password=parts.password or "",
            hostname=host,
            port=port_text,
            pathname=path,
            search="?" + parts.query if parts.query else "",
            hash="#" + parts.fragment if parts.fragment else "",
        )


def _ipv6(literal: str) -> str | None:
    """The compressed form of an IPv6 literal (as the browser prints it), or None."""
    import ipaddress

    try:
        return ipaddress.IPv6Address(literal).compressed
    except ValueError:
        return None


def _looks_numeric(host: str) -> bool:
    """True when the browser may read ``host`` as an IPv4 address in a shorthand form
    (``127.1``, ``0x7f.1``, ``2130706433``) that Python would read differently."""
    last = host.rsplit(".", 1)[-1]
    if not (last.isdigit() or last.startswith("0x")):
        return False
    import ipaddress

    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        return True
    return any(len(part) > 1 and part.startswith("0") for part in host.split("."))


_parser: UrlParser = StrictUrlParser()


def use_url_parser(parser: UrlParser) -> None:
    """Make ``parser`` decide every server URL from now on (the browser's, in a page)."""
    global _parser
    _parser = parser


def current_url_parser() -> UrlParser:
    return _parser


def check_server_url(
    raw: str, *, allow_insecure_http: bool = False, parser: UrlParser | None = None
) -> str:
    """Validate a Speckle server URL; return it as ``scheme://host[:port][/path]``.

    The rules (https, or plain http to a loopback host only; no user info, query, fragment,
    whitespace or backslash) are applied to what ``parser`` (by default the one installed
    with :func:`use_url_parser`) says the URL is, and the result is rebuilt from those
    fields, so what is checked is what the browser will connect to. Raises
    :class:`InvalidConfiguration` for every refusal, its ``reason`` saying which rule failed
    (:mod:`pyapp.messages` words it for the person who typed the URL).
    """
    text = (raw or "").strip()
    if not text:
        raise _refused("missing")
    if any(c == "\\" or c.isspace() or not c.isprintable() for c in text):
        raise _refused("bad_characters")
    match = _SCHEME_RE.match(text)
    scheme = match.group(1).lower() if match else ""
    if scheme in _NON_WEB_SCHEMES or ("://" in text and scheme not in ("http", "https")):
        raise _refused("not_https", scheme + ":")
    if scheme not in ("http", "https") or not text[len(scheme) + 1:].startswith("//"):
        raise _refused("not_a_full_url", _shown(text))
    if "?" in text or "#" in text:
        raise _refused("has_query_or_fragment")
    url = (parser or _parser).parse(text)
    if url is None:
        raise _refused("not_a_url", _shown(text))
    if url.protocol not in _DEFAULT_PORTS:
        raise _refused("not_https", url.protocol)
    if url.username or url.password:
        raise _refused("has_user_info")
    if url.search or url.hash:
        raise _refused("has_query_or_fragment")
    host = url.hostname.lower()
    if not host:
        raise _refused("no_host", _shown(text))
    if url.protocol == "http:" and not allow_insecure_http and not is_loopback_host(host):
        raise _refused("insecure_http")
    port = f":{url.port}" if url.port and url.port != _DEFAULT_PORTS[url.protocol] else ""
    return f"{url.protocol}//{host}{port}{url.pathname.rstrip('/')}"


def _shown(text: str) -> str | None:
    """``text`` to quote in the error, or None when it may hold a password (``user:pw@``)."""
    return None if "@" in text else text


def _refused(reason: ConfigurationReason, value: str | None = None) -> InvalidConfiguration:
    """The server URL is refused for ``reason`` (``value``: the part at fault, if shown)."""
    return InvalidConfiguration(reason, "serverUrl", value)
