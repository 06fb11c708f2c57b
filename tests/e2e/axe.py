"""axe-core (pinned in package-lock.json, from node_modules) injected into a page under test.

``assert_accessible(page)`` runs every WCAG 2.x A/AA rule and axe's best practices on the
page as it is now, open Shadow DOM included (the widget), and fails with each violation's
rule, impact and the elements it found.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from tests.e2e.conftest import REPO_ROOT

AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe's violations on ``page`` now (axe is added to the page once, as a script)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        assert AXE_JS.is_file(), f"{AXE_JS} is missing: run ./dev setup"
        page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    result: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary),
            }));
        }""",
        TAGS,
    )
    return result


def assert_accessible(page: Page, where: str = "") -> None:
    violations = axe_violations(page)
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"])
        for v in violations
    )
    assert not violations, f"axe-core found violations {where}:\n{report}"
