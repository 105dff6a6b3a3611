import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from talentday.auth.models import User
from talentday.extensions import db
from talentday.i18n import supported
from tests.conftest import csrf_token, sign_in

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "talentday/translations/zh_Hans/LC_MESSAGES/messages.po"


def lang_and_heading(response) -> tuple[str, str]:
    page = response.get_data(as_text=True)
    lang = re.search(r'<html lang="([^"]+)"', page).group(1)
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1).strip()
    return lang, heading


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", ("zh-Hans", "登录")),
        ("zh", ("zh-Hans", "登录")),
        ("zh-TW", ("zh-Hans", "登录")),
        ("en-GB,en;q=0.9", ("en", "Sign in")),
        ("fr-FR", ("en", "Sign in")),
        ("", ("en", "Sign in")),
    ],
)
def test_first_visit_follows_the_browser_language(client, accept, expected):
    response = client.get("/sign-in", headers={"Accept-Language": accept})
    assert lang_and_heading(response) == expected


def test_a_city_sets_the_language_of_browsers_that_ask_for_neither(database_url):
    """Issue 10: TALENTDAY_DEFAULT_LOCALE=zh_Hans in a Chinese city."""
    from talentday import ConfigurationError, create_app
    from tests.conftest import app_config

    app = create_app(app_config(database_url, DEFAULT_LOCALE="zh_Hans"))
    client = app.test_client()
    assert lang_and_heading(client.get("/sign-in"))[0] == "zh-Hans"
    assert lang_and_heading(client.get("/sign-in", headers={"Accept-Language": "fr"}))[0] == (
        "zh-Hans"
    )
    assert lang_and_heading(client.get("/sign-in", headers={"Accept-Language": "en"}))[0] == "en"
    with app.app_context():
        db.engine.dispose()
    with pytest.raises(ConfigurationError, match="DEFAULT_LOCALE must be en or zh_Hans"):
        create_app(app_config(database_url, DEFAULT_LOCALE="fr"))


@pytest.mark.parametrize(
    ("stored", "chosen", "browser", "switched_to", "kept"),
    [
        (None, False, "zh-CN,zh;q=0.9", None, "zh_Hans"),  # the browser's language, saved
        (None, False, "en-GB", None, "en"),
        ("en", False, "zh-CN", None, "zh_Hans"),  # the language of the last sign-in's browser
        ("en", True, "zh-CN", None, "en"),  # ...unless the person chose one on the switcher
        ("en", True, "en", "zh_Hans", "zh_Hans"),  # ...and a new choice replaces the old
    ],
)
def test_signing_in_saves_the_language_the_person_reads(
    app, client, make_user, stored, chosen, browser, switched_to, kept
):
    """Issue 10: emails and digests go out in the language the person reads."""
    user = make_user(locale=stored)
    with app.app_context():
        db.session.get(User, user.id).locale_chosen = chosen
        db.session.commit()
    headers = {"Accept-Language": browser}
    if switched_to:
        token = csrf_token(client, "/")
        client.post("/language", data={"csrf_token": token, "locale": switched_to})
    token = csrf_token(client, "/sign-in")
    response = client.post(
        "/sign-in",
        data={"csrf_token": token, "email": user.email, "password": "correct horse battery"},
        headers=headers,
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, user.id).locale == kept


def test_pages_follow_the_browser_until_the_person_chooses_a_language(client, make_user):
    user = make_user()
    sign_in(client, user.email)
    chinese_browser = {"Accept-Language": "zh-CN"}
    assert lang_and_heading(client.get("/account/password", headers=chinese_browser))[0] == (
        "zh-Hans"
    )
    token = csrf_token(client, "/account/password")
    client.post("/language", data={"csrf_token": token, "locale": "en", "next": "/"})
    # Chosen: English on this browser, and on any other the person signs in with.
    other = client.application.test_client()
    sign_in(other, user.email, headers=chinese_browser)
    assert lang_and_heading(other.get("/account/password", headers=chinese_browser))[0] == "en"


def test_language_switch_sticks_for_the_visitor(client):
    token = csrf_token(client, "/")
    response = client.post(
        "/language", data={"csrf_token": token, "locale": "zh_Hans", "next": "/sign-in"}
    )
    assert response.headers["Location"] == "/sign-in"
    english_browser = {"Accept-Language": "en"}
    assert lang_and_heading(client.get("/sign-in", headers=english_browser))[0] == "zh-Hans"
    client.post("/language", data={"csrf_token": token, "locale": "en", "next": "/"})
    assert lang_and_heading(client.get("/sign-in"))[0] == "en"


def test_language_switch_refuses_other_sites_and_unknown_languages(client):
    token = csrf_token(client, "/")
    response = client.post(
        "/language",
        data={"csrf_token": token, "locale": "zh_Hans", "next": "https://evil.example/"},
    )
    assert response.headers["Location"] == "/"
    client.post("/language", data={"csrf_token": token, "locale": "xx"})
    assert lang_and_heading(client.get("/sign-in"))[0] == "zh-Hans"


def test_signed_in_users_keep_their_language_on_every_device(app, make_user):
    user = make_user()
    first_device = app.test_client()
    sign_in(first_device, user.email)
    token = csrf_token(first_device, "/home")
    first_device.post("/language", data={"csrf_token": token, "locale": "zh_Hans"})
    with app.app_context():
        assert db.session.get(User, user.id).locale == "zh_Hans"
    second_device = app.test_client()
    sign_in(second_device, user.email, headers={"Accept-Language": "en"})
    lang, heading = lang_and_heading(second_device.get("/home", headers={"Accept-Language": "en"}))
    assert (lang, heading) == ("zh-Hans", "组织方工作台")


def test_supported_maps_every_chinese_variant_to_the_one_catalogue():
    assert supported("zh-Hans-CN") == "zh_Hans"
    assert supported("zh_CN") == "zh_Hans"
    assert supported("EN-us") == "en"
    assert supported("ja") is None
    assert supported(None) is None


def test_dates_are_shown_in_the_city_time_zone_with_the_weekday(app, runner, client):
    runner.invoke(args=["demo"])
    english = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    # The 24th salon starts at 06:30 UTC, which is 14:30 in Huai'an.
    assert "Sunday 2026-09-20 14:30–17:30" in english
    chinese = app.test_client().get("/", headers={"Accept-Language": "zh-CN"})
    # Issue 10: Chinese dates as Chinese readers write them, by Babel's patterns.
    assert "2026年9月20日星期日 14:30–17:30" in chinese.get_data(as_text=True)


def test_chinese_pages_write_dates_in_chinese_and_name_the_zone_beijing_time(
    app, client, make_user
):
    from talentday.auth.models import Role
    from tests import factories

    with app.app_context():
        factories.item(due_on=date(2026, 12, 20))
        db.session.commit()
    sign_in(client, make_user(Role.ORGANIZER).email, headers={"Accept-Language": "zh-CN"})
    ledger = client.get("/followup/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "2026年12月20日" in ledger and "2026-12-20" not in ledger.split("<main")[1]
    form = client.get("/manage/events/new", headers={"Accept-Language": "zh-CN"})
    assert "时间为本市时区（北京时间）。" in form.get_data(as_text=True)
    english = client.get("/manage/events/new", headers={"Accept-Language": "en"})
    assert "(Beijing time)" in english.get_data(as_text=True)


def test_the_chinese_catalogue_translates_every_string_in_the_code(tmp_path):
    template = tmp_path / "messages.pot"
    CommandLineInterface().run(
        [
            "pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l",
            "--ignore-dirs", ".* __pycache__ .venv", "-o", str(template), str(ROOT),
        ]
    )  # fmt: skip
    with template.open("rb") as handle:
        wanted = {message.id for message in read_po(handle) if message.id}
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    translated = {
        message.id
        for message in catalogue
        if message.id
        and not message.fuzzy
        and all(message.string if isinstance(message.string, tuple) else [message.string])
    }
    missing = sorted(str(m) for m in wanted - translated)
    assert not missing, f"untranslated in zh_Hans (run make extract-messages): {missing}"
    assert len(wanted) > 150


def test_chinese_strings_use_chinese_punctuation():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    offenders = []
    for message in catalogue:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            if (
                text
                and re.search(r"[\u4e00-\u9fff]", text)
                and re.search(r"[,;?!]|[^\d]:|:[^\d]", text)
            ):
                offenders.append(text)
    assert not offenders, f"use ，；：？！ in Chinese text: {offenders}"


def _chinese_strings():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    for message in catalogue:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        yield from (text for text in strings if text and re.search(r"[\u4e00-\u9fff]", text))


def test_chinese_strings_keep_numbers_with_their_unit_and_no_space_by_punctuation():
    split_numbers = [
        text
        for text in _chinese_strings()
        if re.search(r"(%\(\w+\)[ds]|\d) ([天项条个位人次周]|分钟|小时|年)", text)
    ]
    assert not split_numbers, f"put a no-break space between a number and its unit: {split_numbers}"
    spaced = [
        text
        for text in _chinese_strings()
        if re.search(r"[ \u00a0][，。：；？！、）」”]|[，。：；？！、（「“][ \u00a0]", text)
    ]
    assert not spaced, f"no space beside Chinese punctuation: {spaced}"


TEMPLATES = ROOT / "templates"


def test_templates_leave_punctuation_after_translated_text_to_the_catalogue():
    """An ASCII colon or comma a template writes after a translated string reads wrong in
    Chinese ("主持人: 孙虎"): labelled() and one_after_another() take the catalogue's."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"_\([^)]*\)\s*\}\}\s*[:,;]|endtrans\s*%\}\s*[:,;]", line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    for path in TEMPLATES.rglob("*.txt"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"endtrans\s*%\}\s*[:,;]", line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert not offenders, offenders


@pytest.mark.parametrize(
    ("language", "colon", "comma"), [("en", ": ", ", "), ("zh_Hans", "：", "，")]
)
def test_pieces_joined_by_the_catalogue_are_escaped_and_take_its_punctuation(
    app, language, colon, comma
):
    from flask_babel import force_locale
    from markupsafe import Markup

    from talentday.templating import labelled, one_after_another

    with app.test_request_context(), force_locale(language):
        assert labelled(Markup("<strong>Topic</strong>"), "<script>x</script>") == (
            f"<strong>Topic</strong>{colon}&lt;script&gt;x&lt;/script&gt;"
        )
        assert one_after_another("<b>Org</b>", "", "Dean & Co") == (
            f"&lt;b&gt;Org&lt;/b&gt;{comma}Dean &amp; Co"
        )
