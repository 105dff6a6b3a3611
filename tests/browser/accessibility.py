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


def watch_csp(context) -> list[str]:
    """Record every Content-Security-Policy violation of every page the context opens."""
    violations: list[str] = []
    context.expose_binding(
        "reportCspViolation",
        lambda source, text: violations.append(f"{source['page'].url}: {text}"),
    )
    context.add_init_script(CSP_WATCH)
    return violations


def assert_accessible(page) -> None:
    """axe-core finds no serious or critical violation on the page as it is now, and the
    page has not broken its Content-Security-Policy (a blocked script or style would be a
    feature that silently does not work)."""
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
