import pytest

from tests.browser.accessibility import watch_csp

_violations: dict[int, list[str]] = {}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Pages without CSS transitions. After a click that reloads the page, the pointer rests
    on whatever button now stands there; axe-core measuring that button halfway through its
    hover transition saw a blend of colours and reported a contrast failure that no user sees
    once the transition ends. Bootstrap turns its transitions off for reduced motion."""
    return {**browser_context_args, "reduced_motion": "reduce"}


@pytest.fixture
def context(context):
    """Every browser test's context: no page it opens may break the Content-Security-Policy."""
    violations = _violations[id(context)] = watch_csp(context)
    yield context
    del _violations[id(context)]
    assert not violations, f"Content-Security-Policy violations: {violations}"


@pytest.fixture
def csp_violations(context) -> list[str]:
    """The violations seen so far; a test that provokes them on purpose empties the list."""
    return _violations[id(context)]
