"""Language and time zone: chosen from the browser first, then remembered per user."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel.dates import get_timezone_name
from babel.lists import format_list
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from talentday.extensions import babel

SESSION_KEY = "locale"


def supported(locale: str | None) -> str | None:
    """Map any spelling of a supported language to our catalogue name, or None.

    Browsers send zh, zh-CN, zh-Hans-CN, zh-TW...; every Chinese variant gets the one
    Simplified Chinese catalogue we have, rather than falling back to English.
    """
    if not locale:
        return None
    language = locale.replace("-", "_").split("_")[0].lower()
    if language == "zh":
        return "zh_Hans"
    if language == "en":
        return "en"
    return None


def select_locale() -> str:
    if not has_request_context():  # command line, mail: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    signed_in = current_user and current_user.is_authenticated
    if signed_in and current_user.locale_chosen:
        chosen = supported(current_user.locale)
        if chosen:
            return chosen
    chosen = supported(session.get(SESSION_KEY))
    if chosen:
        return chosen
    for language, _quality in request.accept_languages:
        chosen = supported(language)
        if chosen:
            return chosen
    # A browser that asks for no language we speak: the one the person read last time.
    if signed_in and supported(current_user.locale):
        return supported(current_user.locale)
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def html_lang() -> str:
    """The value of the page's lang attribute: en or zh-Hans."""
    locale = get_locale()
    return "zh-Hans" if locale is not None and locale.language == "zh" else "en"


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)


def city_today() -> date:
    """Today's date in the city's time zone: due dates fall due by the city's calendar."""
    return datetime.now(city_zone()).date()


def city_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def from_city_time(value: datetime | None) -> datetime | None:
    """A wall-clock time typed in the city (naive) as an aware UTC timestamp."""
    if value is None:
        return None
    return value.replace(tzinfo=city_zone()).astimezone(UTC)


def to_city_time(value: datetime | None) -> datetime | None:
    """An aware timestamp as the naive wall-clock time of the city, for form inputs."""
    if value is None:
        return None
    return value.astimezone(city_zone()).replace(tzinfo=None)


# The city's zone as its people name it: in Chinese texts China's time is 北京时间.
ZONE_NAMES = {"Asia/Shanghai": _l("Beijing time")}


def city_zone_name() -> str:
    """The city's time zone in the reader's words (Beijing time, 北京时间), never an IANA id."""
    zone = current_app.config["TIMEZONE"]
    if zone in ZONE_NAMES:
        return str(ZONE_NAMES[zone])
    return get_timezone_name(ZoneInfo(zone), "long", locale=get_locale())


def listed(names) -> str:
    """Names in a sentence as the reader's language lists them: "A, B and C", "A、B和C"."""
    return format_list([str(name) for name in names], locale=get_locale())


def sentences(*parts) -> str:
    """Sentences one after another: a space between them in English, none in Chinese."""
    present = [str(part) for part in parts if part]
    text = present[0] if present else ""
    for part in present[1:]:
        text = _("%(first)s %(second)s", first=text, second=part)
    return text
