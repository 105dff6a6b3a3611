"""Issue 10: every page in one language. Each page every visitor may open is read in Chinese on
a phone, and no Latin word may show outside what people typed (names, organizations, topics),
email and web addresses, and codes.

The interface's English would show as Latin words that are not in the data: a string left
untranslated, a label a template writes itself, Bootstrap's "Close", a month name.
"""

import re

import pytest
import sqlalchemy as sa

from talentday.extensions import db
from tests.browser.session import sign_in
from tests.conftest import ON_SQLITE_ONLY
from tests.test_route_walk import ACCOUNTS, _walk, world  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, ON_SQLITE_ONLY]

# Names of things that are the same in every language.
# Names of things that are the same in every language: file formats and a key's name.
# "SEC": the first letters of every DingTalk signing secret; "https": the scheme a webhook
# address must start with. Both read as the platform and the browser show them.
ALLOWED = {
    # The classes of an answer are written with these letters in Chinese offices too (A类).
    "A",
    "B",
    "C",
    "D",
    # File sizes: CLDR writes them so in Chinese, and so do Chinese offices.
    "MB",
    "kB",
    "TalentDay",
    "Excel",
    "Word",
    "PowerPoint",
    "CSV",
    "PDF",
    "iCalendar",
    "ics",
    "SVG",
    "QR",
    "Ctrl",
    "SEC",
    "https",
}

# The page's words a reader sees or hears: text outside scripts, code and passages marked as
# another language (the language switcher's "English"), and the names given to controls.
READ_PAGE = """() => {
  const inOtherLanguage = (el) => {
    const marked = el.closest('[lang]');
    return marked && !marked.lang.startsWith('zh');
  };
  const texts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode(node) {
      const el = node.parentElement;
      if (!el || el.closest('script, style, code, kbd, samp, [translate=no]')) {
        return NodeFilter.FILTER_REJECT;
      }
      return inOtherLanguage(el) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
    },
  });
  while (walker.nextNode()) texts.push(walker.currentNode.nodeValue);
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], img[alt]')) {
    if (inOtherLanguage(el)) continue;
    for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
      if (el.hasAttribute(name)) texts.push(el.getAttribute(name));
    }
  }
  return texts.join('\\n');
}"""

# Addresses and codes (a category's code such as talent-apartments) read the same everywhere.
ADDRESS = re.compile(r"\S+@\S+|https?://\S+|/\S+|\b[a-z0-9]+(?:-[a-z0-9]+)+\b")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def data_words(app) -> set[str]:
    """Every word people typed into the database: names, organizations, topics, unit names."""
    words = set()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, sa.String | sa.Text)]
            if not columns:
                continue
            for row in db.session.execute(sa.select(*columns)):
                for value in row:
                    if isinstance(value, str):
                        words.update(LATIN_WORD.findall(value))
    return words


def latin_words(text: str, allowed: set[str]) -> set[str]:
    text = ADDRESS.sub(" ", text)
    return {word for word in LATIN_WORD.findall(text) if word not in allowed}


def test_every_page_reads_in_chinese_on_a_phone(app, browser, live_server, world):  # noqa: F811
    allowed = ALLOWED | data_words(app)
    found: dict[str, set[str]] = {}
    visits = 0
    for persona in (*ACCOUNTS, "speaker", "anonymous"):
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, locale="zh-CN", reduced_motion="reduce"
        )
        page = context.new_page()
        if persona in ACCOUNTS:
            sign_in(page, live_server, world["users"][persona].email)
        elif persona == "speaker":
            page.goto(f"{live_server}/r/{world['values']['token']}")
        for endpoint, url, method, personas in _walk(app, world):
            if method != "GET" or persona not in personas or endpoint.endswith("static"):
                continue
            if endpoint in ("auth.sign_out", "registrations.open_link", "main.health"):
                continue
            # Files (calendars, exports) are downloads, not pages: asked for first, not opened.
            asked = context.request.get(f"{live_server}{url}", max_redirects=0)
            if "text/html" not in asked.headers.get("content-type", "") or asked.status >= 300:
                continue
            page.goto(f"{live_server}{url}")
            visits += 1
            assert page.evaluate("document.documentElement.lang") == "zh-Hans", url
            words = latin_words(page.evaluate(READ_PAGE), allowed)
            if words:
                found[f"{persona} {url}"] = words
        context.close()
    assert visits > 40, "the walk reached the pages"
    assert not found, "Latin words on Chinese pages:\n" + "\n".join(
        f"- {where}: {sorted(words)}" for where, words in sorted(found.items())
    )
