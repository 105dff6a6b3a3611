from axe_playwright_python.sync_playwright import Axe

_axe = Axe()
BLOCKING = {"serious", "critical"}


def assert_accessible(page) -> None:
    """axe-core finds no serious or critical violation on the page as it is now."""
    results = _axe.run(page)
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING]
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(node["target"][0] for node in v["nodes"][:3])
        for v in blocking
    )
    assert not blocking, f"accessibility violations on {page.url}:\n{report}"
