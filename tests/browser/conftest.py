import pytest

from tests.browser.accessibility import PageWatch


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Pages without CSS transitions. After a click that reloads the page, the pointer rests
    on whatever button now stands there; axe-core measuring that button halfway through its
    hover transition saw a blend of colours and reported a contrast failure that no user sees
    once the transition ends. Bootstrap turns its transitions off for reduced motion."""
    return {**browser_context_args, "reduced_motion": "reduce"}


class WatchingBrowser:
    """The session's browser, whose every new context watches its pages: no page may break
    the Content-Security-Policy, and none may scroll sideways (issue 10: at 390 px as at
    1280, document.documentElement.scrollWidth <= window.innerWidth, checked once each page
    has loaded and after each resize). pytest-playwright's `context` and `page` come from
    here too, and so do the contexts a test opens itself with browser.new_context()."""

    def __init__(self, browser):
        self._browser = browser
        self.watches: dict[int, PageWatch] = {}  # by id() of a context still open
        self.all_watches: list[PageWatch] = []
        self.still_open = []

    def new_context(self, **kwargs):
        kwargs.setdefault("reduced_motion", "reduce")
        context = self._browser.new_context(**kwargs)
        watch = self.watches[id(context)] = PageWatch(context)
        self.all_watches.append(watch)
        self.still_open.append(context)
        context.on("close", self.closed)
        return context

    def closed(self, context) -> None:
        self.still_open.remove(context)
        del self.watches[id(context)]

    def problems(self) -> list[str]:
        found = []
        for watch in self.all_watches:
            found += [f"Content-Security-Policy violation: {text}" for text in watch.csp]
            found += [f"sideways scroll: {text}" for text in watch.sideways]
        return found

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture
def browser(browser):
    """Overrides pytest-playwright's session browser for one test: see WatchingBrowser."""
    watching = WatchingBrowser(browser)
    yield watching
    for context in list(watching.still_open):  # those the test left open
        context.close()
    problems = watching.problems()
    assert not problems, "\n".join(problems)


@pytest.fixture
def csp_violations(browser, context) -> list[str]:
    """The violations seen so far; a test that provokes them on purpose empties the list."""
    return browser.watches[id(context)].csp
