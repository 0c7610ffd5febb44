"""Reading JSON bodies and validating fields, with every problem reported by field name."""
from datetime import date, datetime

from flask import request
from flask_babel import gettext as _

from ..database import MAX_ID
from ..errors import ApiError, ValidationError


def json_body(expect=dict):
    """The request's JSON body, or a 400 invalid_json that says what was wrong."""
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

    def string(self, name, *, required=False, max_length=200, default=None, strip=True):
        value = self.data.get(name)
        if value is None:
            if required:
                self.fail(name, _("This field is required."))
            return default
        if not isinstance(value, str):
            self.fail(name, _("Must be text."))
            return default
        if strip:
            value = value.strip()
        if required and not value:
            self.fail(name, _("This field is required."))
            return default
        if len(value) > max_length:
            self.fail(name, _("At most %(n)d characters.", n=max_length))
            return default
        if any(ord(ch) < 32 and ch not in "\n\t" for ch in value):
            self.fail(name, _("Contains control characters."))
            return default
        return value

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

    def timestamp(self, name, *, required=False):
        """An ISO 8601 date-time with an offset (a naive time is ambiguous across time zones)."""
        value = self.data.get(name)
        if value is None:
            if required:
                self.fail(name, _("This field is required."))
            return None
        parsed = parse_timestamp(value)
        if parsed is None:
            self.fail(name, _("Must be an ISO 8601 date-time with a UTC offset."))
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
            return date.fromisoformat(value)
        except ValueError:
            self.fail(name, _("Must be a date (YYYY-MM-DD)."))
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
            if not isinstance(item, str) or len(item.strip()) > max_length:
                self.fail(name, _("Each item must be text of at most %(n)d characters.", n=max_length))
                return []
            if item.strip():
                items.append(item.strip())
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


def query_int(name):
    value = request.args.get(name)
    if value is None or value == "":
        return None
    if not value.isdigit() or not 0 < int(value) <= MAX_ID:
        raise ValidationError({name: _("Must be a whole number.")})
    return int(value)


def query_date(name):
    value = request.args.get(name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError({name: _("Must be a date (YYYY-MM-DD).")}) from None
