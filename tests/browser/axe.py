"""axe-core in the page under test: zero serious or critical accessibility violations.

axe.min.js comes from its npm package at the version pinned in scripts/fetch_vendor.py (integrity
checked, never committed, never served by the app). It is injected with Playwright's
add_script_tag, so the page's context must bypass the CSP (tests only: the app's policy allows
no inline script).
"""

import importlib.util
import json
from pathlib import Path

import pytest

_FETCHER = Path(__file__).resolve().parents[2] / "scripts" / "fetch_vendor.py"
BLOCKING = ("serious", "critical")


def _axe_vendor():
    spec = importlib.util.spec_from_file_location("fetch_vendor", _FETCHER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, module.VENDORS["axe-core"]


def axe_script() -> Path:
    """The path of axe.min.js, fetched (and verified) on first use; skips the test if offline."""
    fetcher, vendor = _axe_vendor()
    if not vendor.target.exists() and fetcher.fetch(vendor) != 0:
        pytest.fail(f"axe-core {vendor.version}: integrity check failed")
    if not vendor.target.exists():
        pytest.skip(f"axe-core {vendor.version} could not be fetched (run scripts/fetch_vendor.py)")
    return vendor.target


def serious_violations(page) -> list[dict]:
    """Run axe over the whole page (WCAG 2.x A/AA rules and best practices) and return the
    violations of serious or critical impact."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_script()))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            helpUrl: v.helpUrl, targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5),
            summary: (v.nodes[0] || {}).failureSummary || ''}));
    }""")
    return [v for v in result if v["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    """One paragraph per violation: id, impact, help, and where."""
    return "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n    at {json.dumps(v['targets'])}\n"
        f"    {v['summary'].splitlines()[-1] if v['summary'] else ''}"
        for v in violations
    )


def assert_no_serious_violations(page) -> None:
    """Fail with each violation's id, impact, target and help when axe finds any serious one."""
    violations = serious_violations(page)
    assert not violations, f"axe-core on {page.url}:\n{describe(violations)}"
