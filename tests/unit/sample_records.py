"""A stored session and a login transaction as the stores write them, for the record tests."""

from __future__ import annotations

from pyapp.stores import LoginTransaction, Session

SERVER = "http://127.0.0.1:8001"
SESSION = Session(SERVER, "demo-app", "t" * 42, "r" * 42, None, "auto", "session", 1.0)
TXN = LoginTransaction("v" * 43, "c&code_challenge_method=S256", SERVER, "demo-app", "secret",
                       "auto", "session", "http://127.0.0.1:8000/", 1000.0)
