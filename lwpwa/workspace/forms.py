"""The workspace's forms (Flask-WTF: every form carries a CSRF token)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (DateTimeLocalField, HiddenField, IntegerField, PasswordField, RadioField,
                     SelectField, StringField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from ..accounts.passwords import StrongPassword
from ..activities.models import MODES
from ..activities.reference import FORMS, THEMES
from ..api.body import CalendarDay
from ..text import CleanText

# Not "Offline"/"Online": those are the scanner's network states (离线/在线), a mode is 线下/线上.
MODE_CHOICES = [SelectChoice("offline", _l("Held in person")), SelectChoice("online", _l("Held online")),
                SelectChoice("hybrid", _l("Online and offline"))]
assert tuple(choice.value for choice in MODE_CHOICES) == MODES
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


class ActivityForm(FlaskForm):
    campaign = SelectField(_l("Activity week"), coerce=int, validators=[InputRequired()])
    theme = SelectField(_l("Theme"), choices=[SelectChoice(key, label) for key, label, _en in THEMES],
                        validators=[InputRequired()])
    name = StringField(_l("Name of the activity"), validators=[DataRequired(), Length(max=200), CleanText(200)])
    form = SelectField(_l("Form"), choices=[SelectChoice(key, label) for key, label, _en in FORMS],
                       validators=[InputRequired()])
    mode = SelectField(_l("Online or offline"), choices=MODE_CHOICES, default="offline",
                       validators=[InputRequired()])
    content = TextAreaField(_l("Content"), validators=[Optional(), Length(max=4000),
                                                     CleanText(4000, multiline=True)])
    courses = TextAreaField(_l("Recommended courses (one a line)"),
                            description=_l("For open learning resources: the names of the courses you recommend."),
                            validators=[Optional(), Length(max=12000), CleanText(12000, multiline=True)])
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200), CleanText(200)])
    starts_at = DateTimeLocalField(_l("Starts"), format=DATETIME_FORMATS, validators=[InputRequired(), CalendarDay()])
    ends_at = DateTimeLocalField(_l("Ends"), format=DATETIME_FORMATS, validators=[InputRequired(), CalendarDay()])
    capacity = IntegerField(_l("Capacity (people, optional)"),
                            validators=[Optional(), NumberRange(min=1, max=1_000_000)],
                            render_kw={"inputmode": "numeric", "min": 1})
    news_links = TextAreaField(_l("News links (one a line)"), validators=[Optional(), Length(max=21000), CleanText(21000, multiline=True)],
                               render_kw={"inputmode": "url"})


class ContactsForm(FlaskForm):
    lead_name = StringField(_l("Person in charge (负责人)"), validators=[Optional(), Length(max=64), CleanText(64)])
    reporter_name = StringField(_l("Filled in by (填报人)"), validators=[Optional(), Length(max=64), CleanText(64)])
    phone = StringField(_l("Telephone (联系电话)"),
                        validators=[Optional(), Length(max=32),
                                    Regexp(r"^[0-9+\-() ]*$", message=_l("Digits, spaces, +, - and brackets only."))],
                        render_kw={"inputmode": "tel", "autocomplete": "tel"})


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class ResolveForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=[SelectChoice("approve", _l("Count it")),
                                                 SelectChoice("reject", _l("Do not count it"))],
                          validators=[InputRequired()])
    note = StringField(_l("Reason"), validators=[DataRequired(), Length(max=200), CleanText(200)])


USERNAME = Regexp(r"^[A-Za-z0-9._@-]+$", message=_l("Letters, digits, dots, dashes, underscores or @ only."))


class VolunteerForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64), USERNAME],
                           render_kw={"autocapitalize": "none", "autocomplete": "off"})
    display_name = StringField(_l("Name"), validators=[Optional(), Length(max=64), CleanText(64)])
    password = PasswordField(_l("Password (at least 8 characters)"),
                             validators=[DataRequired(), Length(min=8, max=256), StrongPassword()],
                             render_kw={"autocomplete": "new-password"})


class PasswordForm(FlaskForm):
    password = PasswordField(_l("New password (at least 8 characters)"),
                             validators=[DataRequired(), Length(min=8, max=256), StrongPassword()],
                             render_kw={"autocomplete": "new-password"})


class ImportForm(FlaskForm):
    campaign = HiddenField()
    file = FileField(_l("Activity plan (.xlsx)"), validators=[FileRequired()],
                     render_kw={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})


class RescueForm(FlaskForm):
    file = FileField(_l("File exported from a phone (.json)"), validators=[FileRequired()],
                     render_kw={"accept": ".json,application/json"})
