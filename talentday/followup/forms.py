from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired, MultipleFileField
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from talentday.followup.models import ContactMethod, ResultClass, Satisfaction
from talentday.forms import (
    BaseForm,
    EntryList,
    date_in_range,
    strip_whitespace,
    to_id,
    to_int,
    whole_number_field,
)


def _length(maximum: int):
    return Length(max=maximum, message=_l("Enter at most %(max)d characters"))


class VersionedForm(BaseForm):
    """Every change to an item carries the version the person was looking at."""

    version = HiddenField()

    @property
    def expected_version(self) -> int | None:
        return to_int(self.version.data)


class AssignForm(VersionedForm):
    lead_unit_id = SelectField(
        _l("Lead unit"),
        coerce=to_int,
        validators=[DataRequired(_l("Choose the lead unit"))],
        validate_choice=False,
    )
    co_unit_ids = SelectMultipleField(
        _l("Co-handling units"),
        description=_l("Optional. Hold Ctrl (or ⌘) to choose several."),
        coerce=to_id,
        validate_choice=False,
    )
    due_on = DateField(
        _l("Due date"),
        validators=[Optional(), date_in_range],
        invalid_value_message=_l("Enter a date like 2026-12-31"),
    )
    due_in_working_days = whole_number_field(
        _l("Or due in so many working days"),
        minimum=1,
        maximum=250,
        description=_l(
            "Counted from today on the State Council's calendar: public holidays skipped, "
            "make-up working days counted. When given, it sets the due date."
        ),
    )
    instructions = TextAreaField(
        _l("Instructions"),
        validators=[Optional(), _length(2000)],
        filters=[strip_whitespace],
        render_kw={"rows": 3},
    )

    # The ledger's form may leave both empty: each item then gets its own period.
    due_date_required = True

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if (
            self.due_date_required
            and self.due_on.data is None
            and not self.due_on.errors
            and not self.due_in_working_days.data
            and not self.due_in_working_days.errors
        ):
            self.due_on.errors = [*self.due_on.errors, _l("Enter the due date")]
            valid = False
        return valid


class ExtensionRequestForm(VersionedForm):
    """The lead unit asks for more time (延期) before the due date: a new date, and why."""

    due_on = DateField(
        _l("New due date"),
        validators=[InputRequired(_l("Enter the new due date")), date_in_range],
        invalid_value_message=_l("Enter a date like 2026-12-31"),
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Say why your unit needs more time")), _length(2000)],
        filters=[strip_whitespace],
        render_kw={"rows": 3},
    )


class ExtensionDecisionForm(VersionedForm):
    """The organizer grants an extension, possibly to another date, or refuses it."""

    decision = RadioField(
        _l("Decision"),
        choices=[SelectChoice("grant", _l("Grant")), SelectChoice("refuse", _l("Refuse"))],
        validators=[InputRequired(_l("Choose whether to grant the extension"))],
    )
    due_on = DateField(
        _l("New due date"),
        description=_l("Leave empty to grant the date asked for."),
        validators=[Optional(), date_in_range],
        invalid_value_message=_l("Enter a date like 2026-12-31"),
    )
    reason = TextAreaField(
        _l("Reason"),
        description=_l("Needed when refusing."),
        validators=[Optional(), _length(2000)],
        filters=[strip_whitespace],
        render_kw={"rows": 3},
    )


class OpinionForm(VersionedForm):
    """A co-handling unit's opinion on the item (会签意见), for the lead unit's result."""

    opinion = TextAreaField(
        _l("Our unit's opinion"),
        description=_l(
            "What your unit agrees to, adds or objects to; the lead unit reads it beside its "
            "result form, and its result waits for it."
        ),
        validators=[DataRequired(_l("Write your unit's opinion")), _length(4000)],
        filters=[strip_whitespace],
        render_kw={"rows": 4},
    )


class ContactForm(VersionedForm):
    """The lead unit's record of how it reached the speaker (联系记录)."""

    method = RadioField(
        _l("How your unit reached the speaker"),
        choices=[SelectChoice(option.value, option.label) for option in ContactMethod],
        validators=[InputRequired(_l("Choose how you reached the speaker"))],
    )
    contacted_on = DateField(
        _l("Date of the contact"),
        validators=[InputRequired(_l("Enter the date of the contact")), date_in_range],
        invalid_value_message=_l("Enter a date like 2026-12-31"),
    )
    summary = TextAreaField(
        _l("What was said"),
        description=_l(
            "What the speaker told you and what you told them; the speaker reads this on "
            "their own page."
        ),
        validators=[DataRequired(_l("Say what was said")), _length(2000)],
        filters=[strip_whitespace],
        render_kw={"rows": 3},
    )


class InstructionForm(VersionedForm):
    """A leader's instruction on a key item (领导批示)."""

    instruction = TextAreaField(
        _l("Leader's instruction"),
        description=_l(
            "What the units are to do, and by when; it is shown on the item and first on "
            "their desks, and they are told at once."
        ),
        validators=[DataRequired(_l("Write your instruction")), _length(2000)],
        filters=[strip_whitespace],
        render_kw={"rows": 3},
    )


class PublishForm(VersionedForm):
    """What the public results page shows of an item (办理结果公开): the suggestion and the
    result as the organizer words them for the public (names of third parties, addresses,
    anything private taken out)."""

    content = TextAreaField(
        _l("The suggestion, as published"),
        validators=[DataRequired(_l("Enter the suggestion as it will be published")),
                    _length(4000)],
        filters=[strip_whitespace],
        render_kw={"rows": 3},
    )  # fmt: skip
    result = TextAreaField(
        _l("The result, as published"),
        validators=[DataRequired(_l("Enter the result as it will be published")),
                    _length(8000)],
        filters=[strip_whitespace],
        render_kw={"rows": 4},
    )  # fmt: skip


class ReasonForm(VersionedForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Enter the reason")), _length(2000)],
        filters=[strip_whitespace],
        render_kw={"rows": 3},
    )


class ProgressForm(VersionedForm):
    note = TextAreaField(
        _l("Progress"),
        validators=[DataRequired(_l("Describe the progress")), _length(4000)],
        filters=[strip_whitespace],
        render_kw={"rows": 3},
    )
    percent = whole_number_field(_l("Per cent done"), minimum=0, maximum=100)
    files = MultipleFileField(_l("Files"))
    document_number = StringField(
        _l("Document number"),
        description=_l("Of a signed letter among the files, if any (文号)."),
        validators=[Optional(), _length(100)],
        filters=[strip_whitespace],
    )


def _class_choices():
    return [SelectChoice(option.value, option.label) for option in ResultClass]


class ResultForm(VersionedForm):
    result = TextAreaField(
        _l("Handling result"),
        description=_l(
            "The unit's written answer; the speaker reads it and rates it. For a D answer, "
            "explain why it cannot be solved now."
        ),
        validators=[DataRequired(_l("Write the handling result")), _length(8000)],
        filters=[strip_whitespace],
        render_kw={"rows": 5},
    )
    result_class = RadioField(
        _l("What the answer promises"),
        choices=_class_choices(),
        validators=[InputRequired(_l("Choose what the answer promises"))],
    )
    commitment_on = DateField(
        _l("Promised to be done by"),
        description=_l(
            "For a B or C answer: the date the work is to be done by. When it passes, the "
            "organizers check, and the speaker is asked whether it was done."
        ),
        validators=[Optional(), date_in_range],
        invalid_value_message=_l("Enter a date like 2026-12-31"),
    )
    files = MultipleFileField(_l("Files"))
    document_number = StringField(
        _l("Document number"),
        description=_l("Of the signed reply letter, if it is among the files (文号)."),
        validators=[Optional(), _length(100)],
        filters=[strip_whitespace],
    )


class ClosingForm(VersionedForm):
    """The organizer closes a resolved item, correcting the answer's class if need be."""

    result_class = SelectField(
        _l("What the answer promises"),
        description=_l("Correct the lead unit's class if the answer says otherwise."),
        choices=[SelectChoice("", _l("As the lead unit classed it")), *_class_choices()],
        validators=[Optional()],
    )
    note = TextAreaField(
        _l("Note (optional)"),
        validators=[Optional(), _length(2000)],
        filters=[strip_whitespace],
        render_kw={"rows": 2},
    )


class CommitmentAnswerForm(VersionedForm):
    """The speaker says whether what a B or C answer promised was done."""

    kept = RadioField(
        _l("Was it done?"),
        choices=[
            SelectChoice("yes", _l("Yes, it was done")),
            SelectChoice("no", _l("No, not yet")),
        ],
        validators=[InputRequired(_l("Choose whether it was done"))],
    )
    comment = TextAreaField(
        _l("Comment"),
        description=_l("Optional: what you saw, or what is still missing."),
        validators=[Optional(), _length(2000)],
        filters=[strip_whitespace],
        render_kw={"rows": 3},
    )


class CommitmentCheckForm(VersionedForm):
    """The organizer checks a promise whose date passed: kept (the answer becomes A), or not
    kept (the item goes back to the lead unit)."""

    outcome = RadioField(
        _l("Was the promise kept?"),
        choices=[
            SelectChoice("kept", _l("Kept: class the answer A, solved")),
            SelectChoice("not_kept", _l("Not kept: send the item back to the lead unit")),
        ],
        validators=[InputRequired(_l("Choose whether the promise was kept"))],
    )
    reason = TextAreaField(
        _l("Reason"),
        description=_l("Needed when sending the item back; the lead unit reads it."),
        validators=[Optional(), _length(2000)],
        filters=[strip_whitespace],
        render_kw={"rows": 3},
    )
    due_on = DateField(
        _l("New due date"),
        description=_l("Needed when sending the item back: its old due date has passed."),
        validators=[Optional(), date_in_range],
        invalid_value_message=_l("Enter a date like 2026-12-31"),
    )


class NoteForm(VersionedForm):
    note = TextAreaField(
        _l("Note (optional)"),
        validators=[Optional(), _length(2000)],
        filters=[strip_whitespace],
        render_kw={"rows": 2},
    )


class RatingForm(VersionedForm):
    satisfaction = RadioField(
        _l("How satisfied are you with the answer?"),
        choices=[SelectChoice(option.value, option.label) for option in Satisfaction],
        validators=[InputRequired(_l("Choose how satisfied you are"))],
    )
    contacted = RadioField(
        _l("Did the unit contact you before answering?"),
        choices=[
            SelectChoice("yes", _l("Yes, they contacted me")),
            SelectChoice("no", _l("No, they did not")),
        ],
        validators=[InputRequired(_l("Say whether the unit contacted you"))],
    )
    comment = TextAreaField(
        _l("Comment"),
        description=_l("Required if you are unsatisfied: say what is missing."),
        validators=[Optional(), _length(2000)],
        filters=[strip_whitespace],
        render_kw={"rows": 3},
    )


class QuickEntryForm(BaseForm):
    event_id = SelectField(
        _l("Event"),
        coerce=to_int,
        validators=[DataRequired(_l("Choose the event"))],
        validate_choice=False,
    )
    speaker_id = SelectField(
        _l("Speaker"),
        description=_l("A registered speaker, or leave this and name the person below."),
        coerce=to_int,
        validate_choice=False,
    )
    raised_by_name = StringField(
        _l("Raised by (if not a registered speaker)"),
        validators=[Optional(), _length(100)],
        filters=[strip_whitespace],
    )
    category_id = SelectField(
        _l("Category"),
        coerce=to_int,
        validators=[DataRequired(_l("Choose a category"))],
        validate_choice=False,
    )
    content = TextAreaField(
        _l("Suggestion"),
        validators=[DataRequired(_l("Enter the suggestion")), _length(4000)],
        filters=[strip_whitespace],
        render_kw={"rows": 4},
    )


class MergeForm(BaseForm):
    into = whole_number_field(
        _l("Merge into item number"),
        required_message=_l("Enter the number of the item to merge into"),
        minimum=1,
        maximum=2_000_000_000,
    )


class SplitForm(BaseForm):
    parts = EntryList(
        TextAreaField(
            _l("Point"),
            validators=[Optional(), _length(4000)],
            filters=[strip_whitespace],
            render_kw={"rows": 2},
        ),
        min_entries=3,
    )


class ImportForm(BaseForm):
    event_id = SelectField(
        _l("Event"),
        coerce=to_int,
        validators=[DataRequired(_l("Choose the event"))],
        validate_choice=False,
    )
    file = FileField(
        _l("Excel or CSV file"),
        description=_l(
            "Columns: speaker email or name, organization, category, suggestion, under a row "
            "of column names."
        ),
        validators=[
            FileRequired(_l("Choose a file to import")),
            FileAllowed(["xlsx", "csv"], _l("Choose an .xlsx or .csv file")),
        ],
    )


class ConfirmImportForm(BaseForm):
    batch = HiddenField()


class BulkAssignForm(AssignForm):
    """The ledger's assignment of several items at once. Items of different events have
    different follow-up periods: an empty due date gives each item its own."""

    due_on = DateField(
        _l("Due date"),
        description=_l("Leave empty for each item's follow-up period."),
        validators=[Optional(), date_in_range],
        invalid_value_message=_l("Enter a date like 2026-12-31"),
    )
    due_date_required = False
