"""PKCE's randomness and hashing from the Web Crypto API, exactly as Speckle's docs do:
``crypto.getRandomValues`` for the verifier, ``crypto.subtle.digest('SHA-256', …)`` for the
challenge. There is deliberately no fallback: without ``crypto.subtle`` (pages not served
over https or from localhost) the login refuses to start.
"""

from __future__ import annotations

import js

from ..errors import InsecureContext


def require_secure_context() -> None:
    """Raise :class:`InsecureContext` unless Web Crypto's ``subtle`` is available."""
    if not getattr(js, "isSecureContext", False) or not getattr(js.crypto, "subtle", None):
        raise InsecureContext()


class BrowserCrypto:
    """``pyapp.ports.Crypto`` on ``js.crypto``."""

    def random_bytes(self, n: int) -> bytes:
        require_secure_context()
        buffer = js.Uint8Array.new(n)
        js.crypto.getRandomValues(buffer)
        return bytes(buffer.to_bytes())

    async def sha256(self, data: bytes) -> bytes:
        require_secure_context()
        source = js.Uint8Array.new(len(data))
        source.assign(data)
        digest = await js.crypto.subtle.digest("SHA-256", source)
        return bytes(js.Uint8Array.new(digest).to_bytes())
