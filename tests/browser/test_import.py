"""Issue 10: the import page offers the template in the reader's language, reads the usual
headers under a title row, and suggests the nearest category; both pages pass axe-core."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from talentday.auth.models import Role
from talentday.extensions import db
from tests import factories
from tests.browser.accessibility import assert_accessible
from tests.browser.session import sign_in

pytestmark = pytest.mark.browser

WORDS = {
    "en-GB": {
        "template": "Download the template (Excel)",
        "header": "Name",
        "read": "column B “姓名（必填）” as Name",
        "nearest": "Unknown category “人材公寓”. Did you mean “人才公寓”?",
    },
    "zh-CN": {
        "template": "下载导入模板（Excel）",
        "header": "姓名",
        "read": "B 列“姓名（必填）”作为姓名",
        "nearest": "未知类别“人材公寓”。是否指“人才公寓”？",
    },
}


@pytest.mark.parametrize("locale", list(WORDS))
def test_the_organizer_imports_from_a_sheet_of_their_own(
    app, browser, live_server, make_user, locale, tmp_path
):
    words = WORDS[locale]
    with app.app_context():
        event = factories.event(title="24th Talent Salon")
        factories.category(name="Talent apartments", name_zh="人才公寓")
        db.session.commit()
        event_id = event.id
    page = browser.new_context(locale=locale).new_page()
    sign_in(page, live_server, make_user(Role.ORGANIZER).email)
    page.goto(f"{live_server}/followup/import")
    with page.expect_download() as download:
        page.get_by_role("link", name=words["template"]).click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert sheet["A1"].value == words["header"]
    page.locator("details summary").click()
    assert_accessible(page)

    sheet_of_their_own = tmp_path / "汇总表.csv"
    sheet_of_their_own.write_text(
        "第24届人才沙龙意见建议汇总表\n"
        "序号,姓名（必填）,工作单位,建议类别：,意见建议\n"
        "1,王伟,淮阴工学院,人才公寓,建设人才公寓\n"
        "2,李娜,南京大学,人材公寓,提高补贴\n",
        encoding="utf-8",
    )
    page.select_option("#event_id", str(event_id))
    page.set_input_files("#file", str(sheet_of_their_own))
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#import-columns")).to_contain_text(words["read"])
    expect(page.locator("tr.table-danger")).to_contain_text(words["nearest"])
    assert_accessible(page)
