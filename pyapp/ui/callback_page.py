"""The registered redirect page (``callback.html``).

It finishes the login (``SpeckleClient.complete_login`` takes the one-time transaction and
cleans the address bar before anything else) and sends the user back where they started,
replacing this page in history so "Back" never lands here again. On failure it shows one
message and one way forward. ``<body data-state>`` is ``completing`` while the code is
exchanged and ends as ``done`` or ``error``.
"""

from __future__ import annotations

from typing import Any

from pyscript import document

from ..config import load_config_file, settings_editable
from ..embed import finish_login
from ..errors import InvalidConfiguration, SpeckleError
from ..messages import Message, message_for
from ..words import active
from . import report
from .dom import by_id, el, replace_children, report_message
from .page_words import choose_words, reword

APP_PAGE = "./"
CONFIG_FILE = "config.json"


def site_config() -> dict[str, Any]:
    """The site's config.json, or nothing when it cannot be read (the login says why)."""
    try:
        return load_config_file(CONFIG_FILE)
    except InvalidConfiguration:
        return {}


def editable() -> bool:
    """Whether the app page lets the person change the settings (then they see the detail)."""
    return settings_editable(site_config())


def show_error(message: Message, back_to: str | None = None) -> None:
    """``message``, and a link back to the page the login started from (or the app)."""
    report_message(message)
    by_id("status").hidden = True
    result = by_id("result")
    # Retrying a callback cannot work (the code is used up): every action restarts at the app.
    nodes = [el("h2", message.title),
             el("p", message.detail, class_="calm" if message.calm else "error")]
    if editable() and message.extra_detail:
        nodes.append(el("p", message.extra_detail, class_="technical"))
    nodes.append(el("a", active()(f"action-{message.action}"), href=back_to or APP_PAGE,
                    class_="button", id="next-action"))
    replace_children(result, *nodes)
    result.hidden = False
    document.title = f"{message.title} · Speckle"
    document.body.dataset.state = "error"


async def main() -> None:
    # Python runs: the start-up line gives way to "Signing you in…" while the code is exchanged.
    words = choose_words(site_config())
    document.documentElement.lang = words.language
    reword(document, words)
    document.body.dataset.state = "completing"
    try:
        await finish_login()
    except SpeckleError as error:
        show_error(message_for(error, editable()), error.return_to)
        return
    except Exception as error:  # a bug must still end in a message, not an endless "Signing in…"
        report(error, "finishing the login")
        show_error(message_for(error))
        return
    by_id("status").textContent = words("returning")
    document.body.dataset.state = "done"
