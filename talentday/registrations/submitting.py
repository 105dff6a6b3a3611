"""The registration form, as `services.register` takes it: the page and the API both submit
through `submit`, so that a mini-program's registration meets every rule the page's does."""

from sqlalchemy.exc import IntegrityError

from talentday.events.models import Event
from talentday.extensions import db
from talentday.followup.models import Category
from talentday.forms import to_int
from talentday.registrations import services
from talentday.registrations.forms import RegistrationForm
from talentday.registrations.models import Publication, TalentTeam


def speaker_details(form, email: str) -> services.SpeakerDetails:
    return services.SpeakerDetails(
        name=form.name.data,
        email=email,
        phone=form.phone.data,
        organization=form.organization.data,
        position=form.position.data,
        talent_team=TalentTeam(form.talent_team.data),
    )


def suggestion_drafts(form: RegistrationForm, active: list[Category]) -> list:
    categories = {category.id: category for category in active}
    drafts = []
    for entry in form.suggestions.entries:
        content = entry.form.content.data
        category = categories.get(to_int(entry.form.category.data))
        if content and category is not None:
            drafts.append(services.SuggestionDraft(category=category, content=content))
    return drafts


def submit(
    event: Event, form: RegistrationForm, categories: list[Category], *, locale: str
) -> services.RegistrationOutcome:
    """Register from a validated form and commit. Raises EventFullError (the waiting list is
    offered) and RegistrationError (a rule refused it) with nothing written."""
    # A lost race between two identical submissions shows as a unique-constraint failure;
    # the second try finds the first one's registration.
    for attempt in (1, 2):
        try:
            outcome = services.register(
                event,
                speaker_details(form, form.email.data),
                topic=form.topic.data,
                summary=form.summary.data or "",
                suggestions=suggestion_drafts(form, categories),
                consent=form.consent.data,
                publication=Publication(form.publication.data or Publication.NONE.value),
                join_waiting_list=form.join_waiting_list.data == "yes",
                locale=locale,
            )
            db.session.commit()
            return outcome
        except IntegrityError:
            db.session.rollback()
            if attempt == 2:
                raise
        except services.RegistrationError:
            db.session.rollback()
            raise
    raise AssertionError("unreachable")
