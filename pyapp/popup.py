"""The popup login's rules, in plain Python: its window, its messages, and when it has ended.

A popup login runs the consent page in a second window. When Speckle sends that window to
the registered redirect URL, a few lines of JavaScript in the callback page
(``popup-callback.js``) hand the callback URL to the page that opened the popup and close
the window; the waiting page exchanges the code. This module holds what both sides agree
on and the checks the waiting page applies:

* the *marker*: before ``window.open`` the opener writes ``{"login": id}`` under
  :data:`MARKER_KEY` in ``sessionStorage`` and removes it right after. A window opened with
  ``window.open`` starts with a copy of its opener's ``sessionStorage``, so only the popup
  keeps the marker: that is how the callback page knows it is a login popup, and which
  login it belongs to. (``window.name`` is not used: cross-site navigations may clear it.)
* the *message*: ``{"type": MESSAGE_TYPE, "login": id, "url": callback URL}``, sent on a
  same-origin ``BroadcastChannel`` named after the login (:func:`channel_name`) and, when the
  popup still has an opener, with ``postMessage`` to the page's own origin. The id is 128
  random bits only the opener and its popup know: no other page of the origin (another tab,
  another site on a shared origin) can listen to a channel it cannot name, so none hears
  the access code or can spend it first. The channel also works when the popup has no
  ``window.opener``: the opener cuts that link itself as it opens the window, so that no
  page the popup reaches can navigate the opener's tab (a consent page sent with
  ``Cross-Origin-Opener-Policy`` cuts it too).
  :func:`callback_from_message` accepts only a message from this origin that names the
  pending login; :class:`PopupInbox` accepts each login's answer once.
* the *watch*: :class:`PopupWatch` decides from what the opener can observe whether a
  closed-looking popup really was closed, or may still deliver (see its docstring).
"""

from __future__ import annotations

import hmac
from typing import Any, Literal

from .page_urls import CALLBACK_PARAMS, same_origin
from .stores import NAMESPACE

#: ``sessionStorage`` key of the marker the popup inherits from its opener.
MARKER_KEY = NAMESPACE + "popup"
#: Prefix of the ``BroadcastChannel`` the callback window answers on (see :func:`channel_name`).
CHANNEL_PREFIX = NAMESPACE
#: ``type`` of the message carrying a callback URL.
MESSAGE_TYPE = "speckle-login:callback"

#: The popup's size, as OpenID Connect client libraries open theirs (oidc-client-ts).
POPUP_WIDTH = 500
POPUP_HEIGHT = 640
#: How often the opener looks at the popup, and how long a closed popup may still deliver
#: a message already on its way before the login counts as cancelled (seconds).
POLL_SECONDS = 0.25
CLOSE_GRACE_SECONDS = 0.5
#: The longest a page waits for a popup it cannot observe: Speckle's access codes live ten
#: minutes, and a login not finished by then cannot succeed.
WAIT_LIMIT_SECONDS = 10 * 60


def popup_features(screen_x: float, screen_y: float, outer_width: float,
                   outer_height: float) -> str:
    """``window.open`` features for a popup centred on the opener's window."""
    left = max(0, int(screen_x + (outer_width - POPUP_WIDTH) / 2))
    top = max(0, int(screen_y + (outer_height - POPUP_HEIGHT) / 2))
    return (f"popup=yes,width={POPUP_WIDTH},height={POPUP_HEIGHT},left={left},top={top},"
            "location=yes,resizable=yes,scrollbars=yes")


def channel_name(login_id: str) -> str:
    """The ``BroadcastChannel`` that carries ``login_id``'s answer, and nothing else."""
    return CHANNEL_PREFIX + login_id


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url`` (what ``MessageEvent.origin`` holds)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def callback_from_message(data: Any, origin: str, page_url: str, login_id: str | None
                          ) -> str | None:
    """The callback URL a message delivers for ``login_id``, or None to ignore the message.

    Ignored: no pending login, a message from another origin, another shape, another login,
    or a URL that is not a callback on this origin (it would not be Speckle's answer).
    """
    from urllib.parse import parse_qsl, urlsplit

    if not login_id or origin != origin_of(page_url):
        return None
    if not isinstance(data, dict) or data.get("type") != MESSAGE_TYPE:
        return None
    login, url = data.get("login"), data.get("url")
    if not isinstance(login, str) or not isinstance(url, str):
        return None
    if not hmac.compare_digest(login.encode(), login_id.encode()):
        return None
    if not same_origin(url, page_url) or origin_of(url) != origin:
        return None
    if not any(key in CALLBACK_PARAMS for key, _ in parse_qsl(urlsplit(url).query)):
        return None
    return url


class PopupInbox:
    """The one pending popup login of a page, and the answer that ends it (accepted once).

    The same answer may arrive twice (channel and ``postMessage``), and a frame or window of
    another origin may post anything to the page. Only the first message naming the pending
    login counts.
    """

    def __init__(self) -> None:
        self.login_id: str | None = None
        self.answer: str | None = None

    def expect(self, login_id: str) -> None:
        """Wait for ``login_id`` from now on (a previous pending login is forgotten)."""
        self.login_id, self.answer = login_id, None

    def forget(self) -> None:
        self.login_id = None

    def deliver(self, data: Any, origin: str, page_url: str) -> bool:
        """Take a message; True when it is the pending login's answer (kept in ``answer``)."""
        url = callback_from_message(data, origin, page_url, self.login_id)
        if url is None:
            return False
        self.answer, self.login_id = url, None  # a repeat of it now names no pending login
        return True


#: What the opener can see of its popup: still on this origin (``home``), on another
#: origin (``away``: reading its address throws), or ``closed``.
PopupState = Literal["home", "away", "closed"]
Verdict = Literal["waiting", "closed"]


class PopupWatch:
    """Whether the popup was really closed, from the states the opener observes.

    A consent page sent with ``Cross-Origin-Opener-Policy: same-origin`` severs the
    popup from its opener: from then on the opener's handle reads ``closed`` although the
    window is still open and the user may still authorize (measured in Chromium: the handle
    goes from our ``about:blank`` straight to ``closed`` when the consent page commits).
    A window the visitor closed while Speckle's page was still loading reads the same, and
    the page cannot tell the two apart.

    Speckle's own consent page sends no such header (SPEC §6, measured), so ``closed`` is
    believed. When the handle was never seen on the consent page (``away``), the window may
    still live on behind a severed link (:attr:`closed_early`): the navigator ends the
    visible wait but keeps listening for its answer (see
    :class:`pyapp.navigators.PopupNavigator`). Only for a server whose popup has been seen
    to answer after that (``expect_severing``) does such a handle keep the page waiting
    (:attr:`severed`): then its Cancel control and :data:`WAIT_LIMIT_SECONDS` end the wait.
    """

    def __init__(self, expect_severing: bool = False) -> None:
        self.expect_severing = expect_severing
        self.navigated = False
        self.seen_away = False
        self.severed = False
        #: Read closed before it was seen on the consent page: it may live on, severed.
        self.closed_early = False

    def left_home(self) -> None:
        """The popup was sent to the consent page."""
        self.navigated = True

    def observe(self, state: PopupState) -> Verdict:
        if state == "away":
            self.seen_away = True
        if state != "closed":
            return "waiting"
        if not self.navigated or self.seen_away:
            return "closed"
        if self.expect_severing:
            self.severed = True  # or closed while Speckle's page loaded: indistinguishable
            return "waiting"
        self.closed_early = True
        return "closed"
