"""axe-core (vendored, test-only) in a Playwright page: the accessibility violations a page has.

The site's CSP forbids inline scripts, so axe is handed to the page through the DevTools protocol
(page.evaluate), which a page's CSP does not govern; the site itself never serves the file."""

from pathlib import Path

AXE = Path(__file__).with_name("vendor") / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


def violations(page, impacts=BLOCKING) -> list[str]:
    """One line per violation of the given impacts: the rule, its impact and the first offending elements."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    found = page.evaluate(
        """async () => {
          const result = await axe.run(document, {resultTypes: ['violations']});
          return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    return [f"{v['id']} ({v['impact']}): {v['help']} — {v['nodes']}" for v in found if v["impact"] in impacts]
