"""Forms of province administration, with the rules of the CLI's create-campaign/-org/-user."""
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, PasswordField, SelectChoice, SelectField, StringField, ValidationError
from wtforms.validators import DataRequired, Length, Optional

from ..api.body import CalendarDay
from ..text import CleanText

ORG_KIND_LABELS = {
    "community_school": _l("Community school"),
    "open_university": _l("Open university"),
    "university": _l("University"),
    "vocational_school": _l("Vocational school"),
    "library": _l("Library"),
    "bureau": _l("Education bureau"),
    "other": _l("Other"),
}


def strip(value):
    return value.strip() if isinstance(value, str) else value


class CampaignForm(FlaskForm):
    title = StringField(_l("Title"), filters=[strip], validators=[DataRequired(), Length(max=200), CleanText(200)])
    slogan = StringField(_l("Slogan"), filters=[strip], validators=[Optional(), Length(max=200), CleanText(200)])
    region = SelectField(_l("Region"), validators=[DataRequired()])
    starts_on = DateField(_l("First day"), validators=[DataRequired(), CalendarDay()])
    ends_on = DateField(_l("Last day"), validators=[DataRequired(), CalendarDay()])
    plan_due_on = DateField(_l("Plans due on"), validators=[Optional(), CalendarDay()])
    report_due_on = DateField(_l("Statistics tables due on"), validators=[Optional(), CalendarDay()])
    timezone = StringField(_l("Time zone"), default="Asia/Shanghai", filters=[strip],
                           validators=[DataRequired(), Length(max=64)])

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The last day is before the first day."))

    def validate_report_due_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The tables cannot be due before the week starts."))

    def validate_plan_due_on(self, field):
        if self.ends_on.data and field.data and field.data > self.ends_on.data:
            raise ValidationError(_l("Plans cannot be due after the week ends."))

    def validate_timezone(self, field):
        try:
            ZoneInfo(field.data)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(_l("Unknown time zone (for example Asia/Shanghai).")) from None


class OrgForm(FlaskForm):
    name = StringField(_l("Name of the unit"), filters=[strip], validators=[DataRequired(), Length(max=200), CleanText(200)])
    region = SelectField(_l("Region"), validators=[DataRequired()])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(key, label) for key, label in ORG_KIND_LABELS.items()],
                       default="community_school")
    lead_name = StringField(_l("Person in charge (负责人)"), filters=[strip], validators=[Optional(), Length(max=64), CleanText(64)])
    reporter_name = StringField(_l("Person filling in (填报人)"), filters=[strip],
                                validators=[Optional(), Length(max=64), CleanText(64)])
    phone = StringField(_l("Phone (联系电话)"), filters=[strip], validators=[Optional(), Length(max=32), CleanText(32)])


class BureauAccountForm(FlaskForm):
    username = StringField(_l("Username"), filters=[strip], validators=[DataRequired(), Length(max=64), CleanText(64)],
                           render_kw={"autocomplete": "off", "autocapitalize": "none"})
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(min=8, max=256)],
                             render_kw={"autocomplete": "new-password"})
    region = SelectField(_l("Region"), validators=[DataRequired()])
