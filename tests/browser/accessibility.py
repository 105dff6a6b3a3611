from axe_playwright_python.sync_playwright import Axe

_axe = Axe()
BLOCKING = {"serious", "critical"}

# Runs in every document before the page's own scripts (init scripts are exempt from the
# Content-Security-Policy), so a violation during parsing is caught too.
CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const text = `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile || location.href}:${event.lineNumber}`;
  window.__cspViolations.push(text);
  if (window.reportCspViolation) window.reportCspViolation(text);
});
"""


# Issue 10: no page scrolls sideways. The function says how wide the page is and which
# elements stick out of their parent past the window's right edge, or returns null when the
# page fits; the watch runs it once each page has loaded and after each resize, and reports
# what it finds.
SIDEWAYS = """
() => {
  const width = window.innerWidth;
  const wide = document.documentElement.scrollWidth;
  if (wide <= width) return null;
  const name = (element) => element.tagName.toLowerCase() + (element.id ? "#" + element.id : "") +
    (typeof element.className === "string" && element.className.trim()
      ? "." + element.className.trim().split(/\\s+/).join(".") : "");
  const culprits = [];
  for (const element of document.body.querySelectorAll("*")) {
    const parent = element.parentElement;
    if (element.getBoundingClientRect().right > width + 0.5 &&
        (!parent || parent.getBoundingClientRect().right <= width + 0.5)) {
      culprits.push(`${name(element)} ("${(element.textContent || "").trim().slice(0, 40)}")`);
    }
  }
  return `${location.pathname}${location.search} is ${wide} px wide in a window of ` +
    `${width} px; sticking out: ${culprits.slice(0, 5).join(", ") || "nothing visible"}`;
}
"""
SIDEWAYS_WATCH = f"""
if (window.top === window) {{
  const sideways = {SIDEWAYS};
  const check = () => {{
    const problem = sideways();
    if (problem && window.reportSidewaysScroll) window.reportSidewaysScroll(problem);
  }};
  const soon = () => requestAnimationFrame(() => requestAnimationFrame(check));
  window.addEventListener("load", soon);
  window.addEventListener("resize", soon);
}}
"""


class PageWatch:
    """What the pages of one browser context did wrong: Content-Security-Policy violations,
    and each sideways scroll (once per page and width)."""

    def __init__(self, context):
        self.csp: list[str] = []
        self.sideways: list[str] = []
        context.expose_binding(
            "reportCspViolation",
            lambda source, text: self.csp.append(f"{source['page'].url}: {text}"),
        )
        context.expose_binding("reportSidewaysScroll", lambda _source, text: self.report(text))
        context.add_init_script(CSP_WATCH)
        context.add_init_script(SIDEWAYS_WATCH)

    def report(self, text: str) -> None:
        if text not in self.sideways:
            self.sideways.append(text)


def assert_fits_the_screen(page) -> None:
    """The page does not scroll sideways: document.documentElement.scrollWidth is at most
    window.innerWidth."""
    # Right after a click that navigates, the new document may not be there yet (no
    # documentElement): measure the page once it has loaded.
    page.wait_for_load_state("load")
    problem = page.evaluate(SIDEWAYS)
    assert problem is None, f"the page scrolls sideways: {problem}"


def assert_accessible(page) -> None:
    """axe-core finds no serious or critical violation on the page as it is now, the page
    does not scroll sideways, and it has not broken its Content-Security-Policy (a blocked
    script or style would be a feature that silently does not work)."""
    assert_fits_the_screen(page)
    results = _axe.run(page)
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING]
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(node["target"][0] for node in v["nodes"][:3])
        for v in blocking
    )
    assert not blocking, f"accessibility violations on {page.url}:\n{report}"
    violations = page.evaluate("window.__cspViolations || []")
    assert not violations, f"Content-Security-Policy violations on {page.url}: {violations}"
