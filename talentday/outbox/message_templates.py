"""Every message the system sends, with a wording organizers may change, per language.

Each kind of message has a default wording: its file in templates/emails, rendered with
named placeholders such as {name} in place of the values, so that the default reads in the
editor exactly as an organizer's own wording would. An organizer's wording (a
MessageTemplate row for the kind and language) replaces the default. Either way a message is
made the same way (`render`): the wording, with each placeholder replaced by its value
(outbox.placeholders.fill), never run as a template.

Placeholders are words ({name}, {event}) or paragraphs ({when_and_where}, {private_link});
a paragraph has its own wording in templates/emails/_*.txt and may be empty (no message
from the organizers, say). A kind may require a placeholder, so that no wording loses what
the message is for: the private link, the reset link, the list of items."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from babel.lists import format_list
from flask import current_app, render_template
from flask_babel import force_locale, get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from talentday.audit.services import record
from talentday.extensions import db
from talentday.forms import BIDI_CONTROLS
from talentday.outbox.models import MessageTemplate
from talentday.outbox.placeholders import PLACEHOLDER, fill, placeholders_in, unknown_placeholders


@dataclass(frozen=True)
class Placeholder:
    description: object  # a lazy string, shown beside the form
    value: Callable[[dict], str]
    paragraph: bool = False  # a paragraph has no place in a subject line


def _paragraph(partial: str) -> Callable[[dict], str]:
    return lambda context: render_template(f"emails/{partial}.txt", **context).strip()


def _filter(name: str, value) -> str:
    return current_app.jinja_env.filters[name](value)


def _event(context):
    return context.get("event") or context["item"].event


def _item_unit(context):
    unit = context.get("unit") or context["item"].lead_unit
    return unit.display_name if unit is not None else ""


def _when(context) -> str:
    return current_app.jinja_env.filters["datetime"](_event(context).starts_at, "event")


def _late_count(context) -> str:
    if "late_by_unit" in context:
        return str(sum(count for _unit, count in context["late_by_unit"]))
    return str(len(context["late"]))


PLACEHOLDERS: dict[str, Placeholder] = {
    "name": Placeholder(_l("the recipient's name"), lambda c: c["to_name"]),
    "event": Placeholder(_l("the event's title"), lambda c: _event(c).display_title),
    "when": Placeholder(_l("the event's date and time"), _when),
    "venue": Placeholder(_l("the event's venue"), lambda c: _event(c).display_venue or ""),
    "host": Placeholder(
        _l("the event's host (TalentDay when it has none)"),
        lambda c: _event(c).display_host or "TalentDay",
    ),
    "topic": Placeholder(_l("the topic of the speaker's talk"), lambda c: c["registration"].topic),
    "link": Placeholder(
        _l("the link (private: only the recipient gets it)"), lambda c: c.get("link") or ""
    ),
    "when_and_where": Placeholder(
        _l("when and where to be, and the speaker's turn and minutes"),
        _paragraph("_when_and_where"),
        paragraph=True,
    ),
    "check_in_code": Placeholder(
        _l("where the check-in code is (attached to the message)"),
        _paragraph("_check_in_code"),
        paragraph=True,
    ),
    "will_you_come": Placeholder(
        _l("the request to say whether the speaker will come"),
        _paragraph("_will_you_come"),
        paragraph=True,
    ),
    "attendance_question": Placeholder(
        _l("the request to say whether the speaker will come, when not answered yet"),
        _paragraph("_attendance_question"),
        paragraph=True,
    ),
    "private_link": Placeholder(
        _l("the speaker's private link, with what it is for"),
        _paragraph("_private_link"),
        paragraph=True,
    ),
    "organizer_message": Placeholder(
        _l("the organizers' message to this speaker, when there is one"),
        _paragraph("_organizer_message"),
        paragraph=True,
    ),
    "number": Placeholder(_l("the item's number"), lambda c: str(c["item"].id)),
    "content": Placeholder(_l("the suggestion's text"), lambda c: c["item"].content),
    "unit": Placeholder(_l("the unit's name"), _item_unit),
    "reason": Placeholder(_l("the reason given"), lambda c: c.get("reason") or ""),
    "note": Placeholder(
        _l("the organizer's note, when there is one"), lambda c: c.get("note") or ""
    ),
    "result": Placeholder(_l("the handling result"), lambda c: c["item"].result or ""),
    "instructions": Placeholder(
        _l("the organizers' instructions, when there are some"),
        _paragraph("_instructions"),
        paragraph=True,
    ),
    "opinion": Placeholder(_l("the co-handling unit's opinion"), lambda c: c.get("opinion") or ""),
    "instruction": Placeholder(
        _l("the leader's instruction"), lambda c: c.get("instruction") or ""
    ),
    "leader": Placeholder(_l("the leader who gave it"), lambda c: c.get("leader") or ""),
    "result_class": Placeholder(
        _l("what the answer promises (its class, A to D)"),
        lambda c: str(c["item"].result_class.label) if c["item"].result_class else "",
    ),
    "promised_on": Placeholder(
        _l("the date a B or C answer promised"),
        lambda c: _filter("date", c["item"].commitment_on) if c["item"].commitment_on else "",
    ),
    "new_due": Placeholder(
        _l("the new due date, asked for or granted"), lambda c: _filter("date", c["new_due"])
    ),
    "item_link": Placeholder(
        _l("the link to the item (unit staff and organizers sign in)"),
        lambda c: current_app.jinja_env.globals["public_url"](
            "followup.item_page", item_id=c["item"].id
        ),
    ),
    "item_footer": Placeholder(
        _l("the item, its event, due date and link"),
        _paragraph("_item_footer"),
        paragraph=True,
    ),
    "items": Placeholder(
        _l("the list of overdue items and items due within seven days"),
        _paragraph("_digest_items"),
        paragraph=True,
    ),
    "late": Placeholder(_l("how many items are overdue"), _late_count),
    "key_items": Placeholder(
        _l("the key items gone overdue, with their units and the leaders' instructions"),
        _paragraph("_key_items"),
        paragraph=True,
    ),
    "waiting": Placeholder(_l("how many items wait to be assigned"), lambda c: str(c["waiting"])),
    "resolved": Placeholder(_l("how many items wait to be closed"), lambda c: str(c["resolved"])),
    "late_by_unit": Placeholder(
        _l("the overdue items by lead unit"), _paragraph("_late_by_unit"), paragraph=True
    ),
    "ledger_link": Placeholder(
        _l("the link to the ledger"),
        lambda c: current_app.jinja_env.globals["public_url"]("followup.ledger_page"),
    ),
    "duration": Placeholder(
        _l("how long the link works"), lambda c: _filter("duration", c["minutes"])
    ),
}


class Family:
    """What a kind of message is about, which decides how it is previewed."""

    REGISTRATION = "registration"
    ITEM = "item"
    DIGEST = "digest"
    SUMMARY = "summary"
    ESCALATION = "escalation"
    ACCOUNT = "account"


@dataclass(frozen=True)
class TemplateKind:
    key: str
    label: object
    recipient: object
    family: str
    subject: object  # the default subject, a lazy string that may hold {placeholders}
    placeholders: tuple[str, ...]
    # What the message is for: the wording must keep one placeholder of each group.
    required: tuple[tuple[str, ...], ...] = ()
    flags: dict = field(default_factory=dict)

    @property
    def file(self) -> str:
        return self.flags.get("file", self.key)

    def default_body(self) -> str:
        """The default wording in the language in force, with its placeholders."""
        shown = {name: "{" + name + "}" for name in self.placeholders}
        context = {key: value for key, value in self.flags.items() if key != "file"}
        return render_template(f"emails/{self.file}.txt", p=shown, **context).strip() + "\n"

    def default_subject(self) -> str:
        return str(self.subject)

    @property
    def subject_placeholders(self) -> tuple[str, ...]:
        """Those a subject may hold: words, and never a link (a subject is shown in lists)."""
        return tuple(
            name
            for name in self.placeholders
            if not PLACEHOLDERS[name].paragraph and not name.endswith("link")
        )


_TO_SPEAKER = _l("The speaker")
_TO_STAFF = _l("The unit's staff")
_TO_ORGANIZERS = _l("Organizers")
_TO_UNITS_OR_ORGANIZERS = _l("The units' staff (before the item is assigned, the organizers)")
_SPEAKER_WORDS = ("name", "event", "when", "venue", "host", "topic", "link")
_FOOTER = ("private_link", "organizer_message")
_LINKS = ("private_link", "link")
_ITEM_WORDS = ("name", "number", "content", "event", "unit", "item_footer", "item_link")
_ITEM_LINKS = ("item_footer", "item_link")


# A paragraph that a decision or a page promises the speaker: the organizers' message ("added
# to the email each chosen speaker receives"), the question whether they will come.
_PROMISED = ("organizer_message", "will_you_come", "attendance_question")


def _registration(key, label, subject, *extra, **flags) -> TemplateKind:
    placeholders = _SPEAKER_WORDS + extra + _FOOTER
    promised = tuple((name,) for name in placeholders if name in _PROMISED)
    return TemplateKind(
        key,
        label,
        _TO_SPEAKER,
        Family.REGISTRATION,
        subject,
        placeholders,
        required=(_LINKS, *promised),
        flags=flags,
    )


def _item(key, label, subject, *extra, recipient=_TO_STAFF, **flags) -> TemplateKind:
    # The speaker rates a result on their own page: their message keeps their link.
    required = (_LINKS,) if recipient is _TO_SPEAKER else (_ITEM_LINKS,)
    return TemplateKind(
        key, label, recipient, Family.ITEM, subject, _ITEM_WORDS + extra, required, flags
    )


_WHEN_AND_WHERE = ("when_and_where",)
KINDS: dict[str, TemplateKind] = {
    kind.key: kind
    for kind in (
        _registration(
            "registration_received",
            _l("Registration received"),
            _l("We have received your registration"),
        ),
        _registration(
            "registration_confirm",
            _l("Registration to confirm (the address was known already)"),
            _l("Please confirm your registration"),
        ),
        _registration(
            "registration_link_asked",
            _l("Private link asked for again"),
            _l("Your private link"),
            file="registration_link_resent",
            asked_for_link=True,
        ),
        _registration(
            "registration_link_resent",
            _l("Registered again with the same address"),
            _l("Your private link"),
            asked_for_link=False,
        ),
        _registration(
            "registration_approved",
            _l("Registration approved"),
            _l("Your registration is approved"),
            *_WHEN_AND_WHERE,
            "check_in_code",
            "will_you_come",
        ),
        _registration(
            "registration_moved_up",
            _l("Moved up from the waiting list"),
            _l("A speaking slot is yours"),
            *_WHEN_AND_WHERE,
            "check_in_code",
            "will_you_come",
        ),
        _registration(
            "registration_waitlisted",
            _l("On the waiting list"),
            _l("You are on the waiting list"),
        ),
        _registration(
            "registration_rejected", _l("Registration rejected"), _l("About your registration")
        ),
        _registration(
            "registration_cancelled",
            _l("Registration cancelled by the organizers"),
            _l("Your registration has been cancelled"),
        ),
        _registration(
            "registration_withdrawn",
            _l("Registration withdrawn by the speaker"),
            _l("You have withdrawn your registration"),
        ),
        _registration(
            "registration_reminder",
            _l("Reminder before the event"),
            _l("A reminder: you speak soon"),
            *_WHEN_AND_WHERE,
            "check_in_code",
            "attendance_question",
        ),
        _registration(
            "registration_chase",
            _l("Asking whether the speaker will come"),
            _l("Will you come? Please tell us"),
            *_WHEN_AND_WHERE,
        ),
        _item(
            "item_assigned",
            _l("Item assigned to the lead unit"),
            _l("A suggestion has been assigned to your unit"),
            "instructions",
            lead=True,
        ),
        _item(
            "item_assigned_co",
            _l("Item assigned to a co-handling unit"),
            _l("A suggestion has been assigned to your unit"),
            "instructions",
            file="item_assigned",
            lead=False,
        ),
        _item(
            "item_urged",
            _l("Unit urged to speed up"),
            _l("Reminder: a suggestion awaits your unit's answer"),
            "note",
        ),
        _item(
            "item_returned",
            _l("Item returned by a unit"),
            _l("A unit has returned a suggestion"),
            "reason",
            recipient=_TO_ORGANIZERS,
        ),
        _item(
            "item_reopened",
            _l("Item reopened"),
            _l("A suggestion has been reopened"),
            "reason",
        ),
        _item(
            "item_resolved",
            _l("Result sent to the speaker"),
            _l("Your suggestion has an answer"),
            "result",
            "link",
            "private_link",
            recipient=_TO_SPEAKER,
        ),
        _item(
            "co_opinion",
            _l("A co-handling unit's opinion, to the lead unit"),
            _l("A co-handling unit has given its opinion"),
            "opinion",
        ),
        _item(
            "leader_instruction",
            _l("A leader's instruction on a key item"),
            _l("A leader's instruction on a key suggestion"),
            "instruction",
            "leader",
            recipient=_TO_UNITS_OR_ORGANIZERS,
        ),
        _item(
            "key_lifted",
            _l("No longer a key item"),
            _l("A suggestion is no longer a key item"),
            "reason",
            recipient=_TO_UNITS_OR_ORGANIZERS,
        ),
        _item(
            "commitment_due",
            _l("Promised date passed: was it done?"),
            _l("Was your suggestion done as promised?"),
            "result",
            "result_class",
            "promised_on",
            "link",
            "private_link",
            recipient=_TO_SPEAKER,
        ),
        _item(
            "extension_asked",
            _l("Extension asked for by the lead unit"),
            _l("A unit asks for more time on a suggestion"),
            "reason",
            "new_due",
            recipient=_TO_ORGANIZERS,
        ),
        _item(
            "extension_granted",
            _l("Extension granted"),
            _l("Your unit has more time for a suggestion"),
            "reason",
            "new_due",
        ),
        _item(
            "extension_refused",
            _l("Extension refused"),
            _l("Your unit's request for more time was refused"),
            "reason",
        ),
        TemplateKind(
            "unit_digest",
            _l("Daily list of a unit's late and due items"),
            _TO_STAFF,
            Family.DIGEST,
            _l("Your unit's follow-up items: %(late)s overdue", late="{late}"),
            ("name", "unit", "late", "items"),
            required=(("items",),),
        ),
        TemplateKind(
            "organizer_summary",
            _l("Daily summary for organizers"),
            _TO_ORGANIZERS,
            Family.SUMMARY,
            _l("Follow-up summary: %(late)s items overdue", late="{late}"),
            ("name", "waiting", "resolved", "late", "late_by_unit", "ledger_link"),
        ),
        TemplateKind(
            "key_overdue",
            _l("Key items gone overdue, to the leaders and organizers"),
            _l("Leaders and organizers"),
            Family.ESCALATION,
            _l("Key items overdue: %(late)s", late="{late}"),
            ("name", "late", "key_items", "ledger_link"),
            required=(("key_items",),),
        ),
        TemplateKind(
            "password_reset",
            _l("Password reset"),
            _l("The account holder"),
            Family.ACCOUNT,
            _l("Reset your TalentDay password"),
            ("name", "link", "duration"),
            required=(("link",),),
        ),
    )
}


LANGUAGE_LABELS = {"en": _l("English"), "zh_Hans": _l("Chinese")}


def saved_wording(key: str, locale: str) -> MessageTemplate | None:
    return db.session.scalar(
        db.select(MessageTemplate).where(
            MessageTemplate.kind == key, MessageTemplate.locale == locale
        )
    )


def language_of(locale: str | None) -> str:
    """The interface language (config LANGUAGES) a reader of `locale` gets."""
    languages = current_app.config["LANGUAGES"]
    locale = locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    for language in languages:
        if locale == language or locale.split("_")[0] == language.split("_")[0]:
            return language
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def default_wording(kind: TemplateKind, language: str) -> tuple[str, str]:
    with force_locale(language):
        return kind.default_subject(), kind.default_body()


def wording(kind: TemplateKind, language: str) -> tuple[str, str]:
    """(subject, text) of the kind in `language`: the organizers' if they wrote one, else
    the default."""
    saved = saved_wording(kind.key, language)
    if saved is not None:
        return saved.subject, saved.body
    return default_wording(kind, language)


def _tidy(text: str) -> str:
    """An empty paragraph leaves no run of blank lines behind."""
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def render(
    kind: TemplateKind,
    locale: str | None,
    context: dict,
    *,
    subject: str | None = None,
    body: str | None = None,
) -> tuple[str, str]:
    """The message's (subject, text) for a reader of `locale`: the wording given, else the
    one in force, with each placeholder replaced by its value in the reader's language."""
    language = language_of(locale)
    if subject is None or body is None:
        saved_subject, saved_body = wording(kind, language)
        subject = saved_subject if subject is None else subject
        body = saved_body if body is None else body
    allowed = set(kind.placeholders)
    with force_locale(language):
        used = [name for name in placeholders_in(subject + "\n" + body) if name in allowed]
        values = {name: PLACEHOLDERS[name].value(context) for name in used}
    subject_values = {
        name: " ".join(values[name].split()) for name in used if name in kind.subject_placeholders
    }
    return fitted_subject(fill(subject, subject_values)), _tidy(fill(body, values))


def fitted_subject(subject: str) -> str:
    """A subject line within what the outbox keeps: placeholders repeated in a subject could
    make it longer than any mail program shows anyway."""
    from talentday.outbox.models import OutboxMessage

    subject = " ".join(subject.split())
    room = OutboxMessage.subject.type.length
    return subject if len(subject) <= room else subject[: room - 1] + "…"


# --- organizers change the wording -----------------------------------------------------------

MAX_BODY_LENGTH = 20_000


# A wording holds this many placeholders at most: each is replaced by a value, and a
# paragraph or a suggestion's text repeated hundreds of times makes a message of megabytes.
MAX_PLACEHOLDERS = 60


def shown_placeholders(names, *, style: str = "standard") -> str:
    """{names} as the reader's language lists them: "{a}, {b} and {c}", "{a}、{b}和{c}"."""
    return format_list(["{" + name + "}" for name in names], style=style, locale=get_locale())


def required_text(kind: TemplateKind) -> Markup:
    """What the kind's wording must keep, as a reader's list of code: "{a} or {b}, and {c}".
    Babel's list patterns hold no markup; each name is escaped into its <code>."""
    groups = [
        format_list(
            [str(Markup("<code>{}</code>").format("{" + name + "}")) for name in group],
            style="or",
            locale=get_locale(),
        )
        for group in kind.required
    ]
    # The names are the code's own variable names and the pattern is CLDR's: no input here.
    return Markup(format_list(groups, locale=get_locale()))  # nosec B704


def _typing_problems(text: str) -> list:
    """Mistakes in writing placeholders at all, whatever the kind."""
    problems = []
    if "｛" in text or "｝" in text:
        problems.append(_l("Write placeholders with half-width braces, like {name}."))
    if "{{" in text or "}}" in text:
        problems.append(_l("Write a placeholder with one pair of braces, like {name}."))
    if any(character in BIDI_CONTROLS for character in text):
        problems.append(_l("Remove the invisible text direction marks."))
    return problems


def body_problems(kind: TemplateKind, body: str) -> list:
    """What makes `body` unusable as the kind's text: a placeholder it does not know, the
    loss of what the message is for, a link something could be joined to. Empty when it is
    usable."""
    problems = _typing_problems(body)
    unknown = unknown_placeholders(body, kind.placeholders)
    if unknown:
        problems.append(
            _l(
                "%(unknown)s is not a placeholder. Use only %(allowed)s.",
                unknown=shown_placeholders(unknown),
                allowed=shown_placeholders(kind.placeholders),
            )
        )
    used = placeholders_in(body)
    for group in kind.required:
        if not set(group) & set(used):
            problems.append(
                _l(
                    "Keep %(required)s in the text: the message is for it.",
                    required=shown_placeholders(group, style="or"),
                )
            )
    for name in used:
        if name not in kind.placeholders:
            continue
        written = "{" + name + "}"
        # A link glued to other text ("https://elsewhere/?to={link}") would be sent on as
        # part of another address, with the speaker's or a reset link in it.
        apart = re.compile(r"(?<!\S)" + re.escape(written) + r"(?!\S)")
        if name.endswith("link") and len(apart.findall(body)) != body.count(written):
            problems.append(
                _l(
                    "Put %(link)s apart, with a space or a line break before and after it: "
                    "nothing may be joined to a link.",
                    link=written,
                )
            )
        if PLACEHOLDERS[name].paragraph and body.count(written) > 1:
            problems.append(_l("Use %(paragraph)s once only.", paragraph=written))
    if len(PLACEHOLDER.findall(body)) > MAX_PLACEHOLDERS:
        problems.append(_l("Use at most %(num)d placeholders in the text.", num=MAX_PLACEHOLDERS))
    return problems


def subject_problems(kind: TemplateKind, subject: str) -> list:
    problems = _typing_problems(subject)
    unknown = unknown_placeholders(subject, kind.subject_placeholders)
    if unknown:
        problems.append(
            _l(
                "%(unknown)s cannot be in a subject. A subject may hold %(known)s.",
                unknown=shown_placeholders(unknown),
                known=shown_placeholders(kind.subject_placeholders) or "—",
            )
        )
    return problems


def save(kind: TemplateKind, language: str, subject: str, body: str, *, by) -> bool:
    """Keep the organizers' wording of `kind` in `language`, checked again here so that no
    caller keeps an unusable one. A wording equal to the default is no wording of their own:
    the kind goes back to its default (and follows any later change to it). Audited.
    Returns whether a wording of their own is kept."""
    body = body.replace("\r\n", "\n").strip() + "\n"
    subject = subject.strip()
    if body_problems(kind, body) or subject_problems(kind, subject) or not subject:
        raise ValueError("the wording must be checked before it is saved")
    saved = saved_wording(kind.key, language)
    if (subject, body) == default_wording(kind, language):
        if saved is not None:
            db.session.delete(saved)
        own = False
    else:
        if saved is None:
            saved = MessageTemplate(kind=kind.key, locale=language)
            db.session.add(saved)
        saved.subject, saved.body, saved.updated_by = subject, body, by
        own = True
    # What it says is kept too: a wording reaches every speaker, and the log shows who
    # wrote what.
    record(
        "message_template_saved",
        actor=by,
        message=kind.key,
        language=language,
        subject=subject,
        text=body,
    )
    return own


def reset(kind: TemplateKind, language: str, *, by) -> None:
    """Back to the default wording. Audited."""
    saved = saved_wording(kind.key, language)
    if saved is not None:
        db.session.delete(saved)
    record("message_template_reset", actor=by, message=kind.key, language=language)


def saved_wordings() -> dict[tuple[str, str], MessageTemplate]:
    """Every wording of their own organizers keep, by (kind, language): one query."""
    return {
        (saved.kind, saved.locale): saved
        for saved in db.session.scalars(
            db.select(MessageTemplate).options(db.joinedload(MessageTemplate.updated_by))
        )
    }
