"""The forms of the flag workflow (CSRF through FlaskForm)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length


def strip(value):
    return value.strip() if isinstance(value, str) else value


class ExplainForm(FlaskForm):
    explanation = TextAreaField(_l("Your explanation for the bureau"), filters=[strip],
                                validators=[DataRequired(), Length(max=2000)])


class ReviewForm(FlaskForm):
    note = TextAreaField(_l("Review note"), filters=[strip], validators=[DataRequired(), Length(max=2000)])


class ThresholdsForm(FlaskForm):
    """Only the CSRF token: the thresholds themselves are read by thresholds.clean()."""
