"""Reading JSON bodies and validating fields, with every problem reported by field name."""
import re
from datetime import date, datetime, timezone

from flask import request
from flask_babel import gettext as _

from .. import text
from ..database import MAX_ID
from ..errors import ApiError, ValidationError

# Dates and times that are stored or computed with must stay far from the calendar's edge
# (years 1 and 9999), where converting to a campaign's zone or adding a day overflows.
EARLIEST_DAY, LATEST_DAY = date(1970, 1, 1), date(2199, 12, 31)
EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2200, 1, 1, tzinfo=timezone.utc)
_ASCII_NUMBER = re.compile(r"[0-9]{1,19}\Z")


def json_body(expect=dict):
    """The request's JSON body, or a 400 invalid_json that says what was wrong. Parsed by the
    app's request class (lwpwa.requests): nesting too deep for the parser is invalid_json too."""
    data = request.get_json(silent=True, force=True)
    if data is None:
        raise ApiError(400, "invalid_json", _("The request body must be JSON."))
    if not isinstance(data, expect):
        raise ApiError(400, "invalid_json", _("The JSON body has the wrong shape."))
    return data


class Validator:
    """Collects field errors from a dict, so a client sees all of them at once."""

    def __init__(self, data):
        self.data = data
        self.errors = {}

    def fail(self, name, message):
        self.errors.setdefault(name, message)

    def raise_if_errors(self):
        if self.errors:
            raise ValidationError(self.errors)

    def present(self, name):
        return name in self.data and self.data[name] is not None

    def string(self, name, *, required=False, max_length=200, default=None, strip=True,
               multiline=False):
        """A text to store, by the one rule of lwpwa.text. `strip=False` is for secrets
        (passwords): taken as typed, only what no encoding holds is refused."""
        value = self.data.get(name)
        if value is None:
            if required:
                self.fail(name, _("This field is required."))
            return default
        if not isinstance(value, str):
            self.fail(name, _("Must be text."))
            return default
        if not strip:
            problem = text.secret_problem(value)
            if problem is None and required and not value:
                problem = _("This field is required.")
            if problem is None and len(value) > max_length:
                problem = _("At most %(n)d characters.", n=max_length)
            if problem:
                self.fail(name, problem)
                return default
            return value
        try:
            return text.clean(value, max_length=max_length, multiline=multiline, required=required)
        except text.TextProblem as problem:
            self.fail(name, problem.message)
            return default

    def integer(self, name, *, required=False, minimum=None, maximum=MAX_ID, default=None):
        value = self.data.get(name)
        if value is None:
            if required:
                self.fail(name, _("This field is required."))
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(name, _("Must be a whole number."))
            return default
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            self.fail(name, _("Out of range."))
            return default
        return value

    def choice(self, name, choices, *, required=False, default=None):
        value = self.data.get(name)
        if value is None:
            if required:
                self.fail(name, _("This field is required."))
            return default
        if not isinstance(value, str) or value not in choices:
            self.fail(name, _("Must be one of: %(choices)s.", choices=", ".join(choices)))
            return default
        return value

    def boolean(self, name, default=None):
        value = self.data.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(name, _("Must be true or false."))
            return default
        return value

    def timestamp(self, name, *, required=False, bounded=True):
        """An ISO 8601 date-time with an offset (a naive time is ambiguous across time zones),
        between 1970 and 2199 unless `bounded=False` (then only what Python can represent)."""
        value = self.data.get(name)
        if value is None:
            if required:
                self.fail(name, _("This field is required."))
            return None
        parsed = parse_timestamp(value)
        if parsed is None:
            self.fail(name, _("Must be an ISO 8601 date-time with a UTC offset."))
        elif bounded and not within_calendar(parsed):
            self.fail(name, _("Must lie between the years %(first)d and %(last)d.",
                              first=EARLIEST.year, last=LATEST.year - 1))
            return None
        return parsed

    def day(self, name, *, required=False):
        value = self.data.get(name)
        if value is None:
            if required:
                self.fail(name, _("This field is required."))
            return None
        try:
            if not isinstance(value, str):
                raise ValueError(value)
            return bounded_day(date.fromisoformat(value))
        except ValueError:
            self.fail(name, _("Must be a date (YYYY-MM-DD) between %(first)d and %(last)d.",
                              first=EARLIEST_DAY.year, last=LATEST_DAY.year))
            return None

    def string_list(self, name, *, max_items=20, max_length=500):
        value = self.data.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or len(value) > max_items:
            self.fail(name, _("Must be a list of at most %(n)d texts.", n=max_items))
            return []
        items = []
        for item in value:
            if not isinstance(item, str):
                self.fail(name, _("Each item must be text of at most %(n)d characters.", n=max_length))
                return []
            try:
                item = text.clean(item, max_length=max_length)
            except text.TextProblem as problem:
                self.fail(name, problem.message)
                return []
            if item:
                items.append(item)
        return items


def parse_timestamp(value):
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        return None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        return None
    return parsed


def within_calendar(moment):
    return EARLIEST <= moment < LATEST


def bounded_day(day):
    """`day`, or ValueError when it lies too near the calendar's edge to compute with."""
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValueError(day)
    return day


def parse_int(value, minimum=1, maximum=MAX_ID):
    """The int that `value` spells in ASCII digits, within [minimum, maximum], else None.
    (`str.isdigit()` and `int()` also take "²", "١٢" and " 12 "; `int()` fails on the first.)"""
    if not isinstance(value, str) or not _ASCII_NUMBER.match(value):
        return None
    number = int(value)
    return number if minimum <= number <= maximum else None


def query_int(name, *, minimum=1, maximum=MAX_ID, message=None):
    """The integer query parameter `name` (None when absent or empty), else 400 validation_error.
    The one parser of integer parameters, for the API and the pages alike."""
    value = request.args.get(name)
    if value is None or value == "":
        return None
    number = parse_int(value, minimum, maximum)
    if number is None:
        raise ValidationError({name: message or _("Must be a whole number from %(low)d to %(high)d.",
                                                  low=minimum, high=maximum)})
    return number


class CalendarDay:
    """WTForms validator: a date far enough from the calendar's edge to compute with."""

    def __call__(self, form, field):
        from wtforms.validators import ValidationError as FormError

        if field.data is not None:
            try:
                bounded_day(field.data.date() if isinstance(field.data, datetime) else field.data)
            except ValueError:
                raise FormError(_("Must lie between the years %(first)d and %(last)d.",
                                  first=EARLIEST_DAY.year, last=LATEST_DAY.year)) from None


def query_id(name):
    """An id in a page's query (?campaign=, ?org=, ?copy=): None when absent or empty; 404 when
    it is not one an id column can hold, as for an id in the path (it names nothing)."""
    value = request.args.get(name)
    if value is None or value == "":
        return None
    number = parse_int(value[:30], 1, MAX_ID) if len(value) <= 30 else None
    if number is None:
        raise ApiError(404, "not_found", _("Not found."))
    return number


def query_date(name):
    value = request.args.get(name)
    if not value:
        return None
    try:
        return bounded_day(date.fromisoformat(value))
    except ValueError:
        raise ValidationError({name: _("Must be a date (YYYY-MM-DD) between %(first)d and %(last)d.",
                                       first=EARLIEST_DAY.year, last=LATEST_DAY.year)}) from None
