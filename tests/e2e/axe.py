"""axe-core in the test browser: the engine comes from its npm package (``tests/js``, pinned,
installed by ``tools/test-js-deps.sh``; never a CDN) and is injected into a page or a frame
with Playwright. :func:`audit` runs the WCAG 2.1 A/AA rules and returns the violations."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")


@cache
def axe_source() -> str:
    if not AXE_JS.is_file():
        raise RuntimeError(f"{AXE_JS} is missing: run `bash tools/test-js-deps.sh` "
                           "(make test does)")
    return AXE_JS.read_text("utf-8")


def audit(frame: Any, *, exclude: list[str] | None = None) -> list[dict[str, Any]]:
    """The axe violations (WCAG 2.1 A and AA) of a Playwright page or frame, each with
    ``id``, ``impact``, ``help`` and ``nodes`` (target selectors and a summary)."""
    if not frame.evaluate("() => typeof window.axe === 'object'"):
        frame.add_script_tag(content=axe_source())
    return frame.evaluate(  # type: ignore[no-any-return]
        """async ([tags, exclude]) => {
             const context = exclude.length ? {exclude: exclude.map(s => [s])} : document;
             const r = await axe.run(context, {runOnly: {type: 'tag', values: tags},
                                               resultTypes: ['violations']});
             return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
               nodes: v.nodes.map(n => ({target: n.target.join(' '),
                                         summary: n.failureSummary,
                                         html: n.html.slice(0, 200)}))}));
           }""", [WCAG_TAGS, exclude or []])


def blocking(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in violations if v["impact"] in BLOCKING]


def describe(where: str, violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{where}: {v['id']} ({v['impact']}): {v['help']}")
        for n in v["nodes"][:6]:
            lines.append(f"    {n['target']} :: {n['html'][:120]}")
            if n.get("summary"):
                lines.append("      " + n["summary"].replace("\n", " | ")[:300])
    return "\n".join(lines)
