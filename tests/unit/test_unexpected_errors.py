"""``pyapp.ui.report`` and ``spawn``: a bug in a page handler ends as one console line.

The line names the exception's type, where it happened and the innermost frames (file
name, line, function), never the exception's text, which may quote a URL with a code in it.
"""

from __future__ import annotations

import asyncio

from tests.unit.fake_browser import FakeBrowser

SECRET = "access_code=abc123"


def nested(depth: int) -> None:
    if depth == 0:
        raise ValueError(SECRET)
    nested(depth - 1)


def run_spawned(*coroutines: object) -> None:
    """Spawn each coroutine from a handler, then wait until every one of them has ended."""
    from pyapp.ui import spawn

    async def page() -> None:
        for coroutine in coroutines:
            spawn(coroutine)  # type: ignore[arg-type]
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        # spawn's own done callback was added first, so it has run when gather returns.
        await asyncio.gather(*others, return_exceptions=True)

    asyncio.run(page())


def test_a_failing_handler_is_reported_once_by_type_and_place(fake_browser: FakeBrowser
                                                              ) -> None:
    async def handler() -> None:
        nested(1)

    async def fine() -> None:
        return None

    run_spawned(handler(), fine())
    (level, line), = fake_browser.console
    assert level == "error"
    assert line.startswith("pyapp: unexpected ValueError in an event handler at ")
    # Innermost frame first, each a bare file name, a line number and the function.
    frames = line.split(" at ", 1)[1].split(" <- ")
    assert [frame.split(" ")[1] for frame in frames] == ["nested", "nested", "handler"]
    assert all(frame.startswith("test_unexpected_errors.py:") for frame in frames)
    assert SECRET not in line


def test_a_handler_that_ends_well_or_is_cancelled_is_not_reported(fake_browser: FakeBrowser
                                                                  ) -> None:
    async def fine() -> None:
        return None

    async def cancelled() -> None:
        raise asyncio.CancelledError

    run_spawned(fine(), cancelled())
    assert fake_browser.console == []


def test_only_the_six_innermost_frames_are_named(fake_browser: FakeBrowser) -> None:
    from pyapp.ui import report

    try:
        nested(10)
    except ValueError as error:
        report(error, "a test")
    (_, line), = fake_browser.console
    assert line.count(" <- ") == 5 and " nested" in line and "test_only" not in line


def test_an_error_without_a_traceback_is_named_without_frames(fake_browser: FakeBrowser) -> None:
    from pyapp.ui import report

    report(KeyError(SECRET), "starting the page")
    assert fake_browser.console == [("error", "pyapp: unexpected KeyError in starting the page")]


def test_a_frame_of_code_without_a_file_is_named_as_is(fake_browser: FakeBrowser) -> None:
    from pyapp.ui import report

    # PyScript runs a page's inline code under the file name "<exec>", which has no slash.
    code = compile("def inline():\n    raise RuntimeError('x')\n", "<exec>", "exec")
    scope: dict[str, object] = {}
    exec(code, scope)  # noqa: S102 - the test's own code
    try:
        scope["inline"]()  # type: ignore[operator]
    except RuntimeError as error:
        report(error, "a script")
    (_, line), = fake_browser.console
    assert line.split(" at ", 1)[1].startswith("<exec>:2 inline <- test_unexpected_errors.py:")
