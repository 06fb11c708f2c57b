"""PKCE (RFC 7636) as Speckle documents it, without any I/O.

The verifier is 32 random bytes in base64url without padding (43 characters); the
challenge is ``BASE64URL(SHA256(ASCII(verifier)))``. Randomness and hashing come from a
:class:`~pyapp.ports.Crypto` so the same code runs on ``js.crypto`` in the page and on
``secrets``/``hashlib`` under CPython.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from .ports import Crypto

VERIFIER_BYTES = 32


def base64url(data: bytes) -> str:
    """RFC 4648 §5 base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def verifier_from_bytes(random_bytes: bytes) -> str:
    """Turn 32 random bytes into the 43-character code verifier."""
    if len(random_bytes) != VERIFIER_BYTES:
        raise ValueError(f"need {VERIFIER_BYTES} random bytes, got {len(random_bytes)}")
    return base64url(random_bytes)


@dataclass(frozen=True)
class PkcePair:
    """A code verifier and the S256 challenge derived from it."""

    verifier: str
    challenge: str


async def challenge_for(verifier: str, crypto: Crypto) -> str:
    """``BASE64URL(SHA256(ASCII(verifier)))``."""
    digest = await crypto.sha256(verifier.encode("ascii"))
    return base64url(digest)


async def new_pair(crypto: Crypto) -> PkcePair:
    """Make a fresh verifier from the platform's CSPRNG and derive its challenge."""
    verifier = verifier_from_bytes(crypto.random_bytes(VERIFIER_BYTES))
    return PkcePair(verifier, await challenge_for(verifier, crypto))
