"""The ledger's filters in force are shown as tags, each removable, and a dashboard's
drill-down is a filter like the others: shown, and kept when another filter changes."""

import re
from html import unescape

import pytest

from talentday.auth.models import Role
from talentday.extensions import db
from tests import factories
from tests.conftest import sign_in


@pytest.fixture
def organizer(app, client, make_user):
    sign_in(client, make_user(Role.ORGANIZER).email)
    return client


def tags(page: str) -> dict[str, str]:
    """Each tag's words and where removing it leads."""
    return {
        re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", label)))
        .replace("×", "")
        .strip(): unescape(href)
        for href, label in re.findall(
            r'<a class="btn btn-sm btn-outline-secondary filter-tag" href="([^"]+)"[^>]*>(.*?)</a>',
            page,
            re.S,
        )
    }


def hidden_inputs(page: str) -> dict[str, str]:
    form = page.split('role="search"', 1)[1].split("</form>", 1)[0]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))


def test_a_drill_down_by_a_units_role_is_shown_and_kept(app, organizer):
    with app.app_context():
        unit = factories.unit(name="Housing Bureau")
        db.session.commit()
        unit_id = unit.id
    page = organizer.get(f"/followup/?unit={unit_id}&role=co&state=open").get_data(as_text=True)
    found = tags(page)
    assert set(found) == {"co-handling unit: Housing Bureau", "Not closed"}
    removed = found["co-handling unit: Housing Bureau"]
    assert "unit=" not in removed and "role=" not in removed and "state=open" in removed
    assert hidden_inputs(page) == {"role": "co"}, "pressing Filter keeps the unit's role"
    assert "Remove all filters" in page


def test_a_figures_drill_down_is_a_tag_that_pressing_filter_keeps(app, organizer):
    page = organizer.get("/followup/?figure=on_time&raised_from=2026-01-01").get_data(as_text=True)
    found = tags(page)
    assert set(found) == {"counted as: On time", "raised from 2026-01-01"}
    assert hidden_inputs(page) == {"figure": "on_time", "raised_from": "2026-01-01"}
    assert "figure=" not in found["counted as: On time"]
    assert "raised_from=2026-01-01" in found["counted as: On time"]


def test_no_filter_no_tags(organizer):
    page = organizer.get("/followup/").get_data(as_text=True)
    assert "filter-tag" not in page and "Filters in force" not in page


def test_tags_read_in_chinese(app, organizer):
    with app.app_context():
        unit = factories.unit(name="Housing Bureau", name_zh="市住建局")
        db.session.commit()
        unit_id = unit.id
    page = organizer.get(
        f"/followup/?unit={unit_id}&role=lead&overdue=1", headers={"Accept-Language": "zh-CN"}
    ).get_data(as_text=True)
    assert "当前筛选条件" in page
    assert any("市住建局" in label for label in tags(page))
    assert 'aria-label="移除筛选条件：' in page
