"""PKCE: the RFC 7636 Appendix B vector and the verifier's shape."""

import asyncio
import base64
import hashlib
import re

import pytest

from pyapp import pkce
from tests.unit.fakes import PythonCrypto

RFC_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
RFC_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
# The 32 octets RFC 7636 Appendix B starts from.
RFC_BYTES = bytes([116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186,
                   22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121])


def test_rfc7636_appendix_b_verifier_from_bytes() -> None:
    assert pkce.verifier_from_bytes(RFC_BYTES) == RFC_VERIFIER


def test_rfc7636_appendix_b_challenge() -> None:
    assert asyncio.run(pkce.challenge_for(RFC_VERIFIER, PythonCrypto())) == RFC_CHALLENGE


def test_new_pair_uses_the_platform_randomness() -> None:
    pair = asyncio.run(pkce.new_pair(PythonCrypto(fixed=RFC_BYTES)))
    assert (pair.verifier, pair.challenge) == (RFC_VERIFIER, RFC_CHALLENGE)


def test_fresh_verifiers_are_43_url_safe_chars_and_differ() -> None:
    pairs = [asyncio.run(pkce.new_pair(PythonCrypto())) for _ in range(20)]
    assert len({p.verifier for p in pairs}) == 20
    for pair in pairs:
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", pair.verifier)  # base64url, RFC 7636 §4.1
        digest = hashlib.sha256(pair.verifier.encode()).digest()
        assert pair.challenge == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        assert "=" not in pair.challenge and "+" not in pair.challenge and "/" not in pair.challenge


def test_wrong_number_of_random_bytes_is_refused() -> None:
    with pytest.raises(ValueError, match="need 32 random bytes, got 16"):
        pkce.verifier_from_bytes(b"\0" * 16)
