"""The one rule for every text that is stored, whatever path it came by (API bodies, web forms,
the command line, the .xlsx importer, the rescue upload).

A stored text must be writable by every export (openpyxl refuses most C0 controls, PostgreSQL
and SQLite's UTF-8 refuse lone surrogates), must not reorder what is shown around it (bidi
overrides and isolates: the "Trojan source" trick in a unit's name on a bureau's table), and
must read the same however it was typed (NFC). So:

- refused: lone surrogates, C0 and C1 control characters, DEL, bidi embeddings, overrides and
  isolates, Unicode noncharacters; a multi-line text may hold line breaks and tabs;
- normalised: NFC; CR LF and lone CR become LF; leading and trailing white space is stripped;
- bounded: at most `max_length` characters after normalisation.
"""
import re
import unicodedata

from flask_babel import lazy_gettext as _l

_SURROGATE = "\ud800-\udfff"
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff"
_FORBIDDEN_MULTILINE = re.compile(f"[{_SURROGATE}{_CONTROLS}{_BIDI}{_NONCHARACTERS}]")
_FORBIDDEN_LINE = re.compile(f"[{_SURROGATE}{_CONTROLS}\t\n\r{_BIDI}{_NONCHARACTERS}]")
# Only what would break storage or an export: for texts kept for audit as they came.
_UNWRITABLE = re.compile(f"[{_SURROGATE}{_CONTROLS}{_BIDI}{_NONCHARACTERS}]")

MESSAGES = {
    "surrogate": _l("Contains characters that are not valid text."),
    "control": _l("Contains control characters."),
    "bidi": _l("Contains characters that reorder text (bidirectional overrides)."),
    "too_long": _l("At most %(n)d characters."),
    "required": _l("This field is required."),
}


class TextProblem(ValueError):
    """A text breaks the rule; `message` says why, in the user's language."""

    def __init__(self, kind, max_length=None):
        self.kind = kind
        self.max_length = max_length
        super().__init__(kind)

    @property
    def message(self):
        text = MESSAGES[self.kind]
        return str(text) % {"n": self.max_length} if self.kind == "too_long" else str(text)


def _kind_of(character):
    if "\ud800" <= character <= "\udfff":
        return "surrogate"
    if re.match(f"[{_BIDI}]", character):
        return "bidi"
    return "control"


def clean(value, *, max_length, multiline=False, required=False):
    """The stored form of `value` (a str), or TextProblem. Empty after stripping is "" (or
    TextProblem("required") when `required`)."""
    if not isinstance(value, str):
        raise TypeError("clean() takes a str")
    forbidden = _FORBIDDEN_MULTILINE if multiline else _FORBIDDEN_LINE
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    found = forbidden.search(value)
    if found:
        raise TextProblem(_kind_of(found.group()))
    value = unicodedata.normalize("NFC", value).strip()
    if required and not value:
        raise TextProblem("required")
    if len(value) > max_length:
        raise TextProblem("too_long", max_length)
    return value


def problem(value, *, max_length, multiline=False):
    """The message of what is wrong with `value`, or None."""
    try:
        clean(value, max_length=max_length, multiline=multiline)
    except TextProblem as error:
        return error.message
    return None


def secret_problem(value):
    """Passwords are hashed, never shown: only what cannot be encoded or typed is refused."""
    found = _UNWRITABLE.search(value)
    return TextProblem(_kind_of(found.group())).message if found else None


def escaped(value):
    """`value` with whatever no export or column could hold written as \\uXXXX: for texts kept
    as they came (a rejected sync item's raw text), where refusing is not an option."""
    return _UNWRITABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", value)


def web_address_problem(link):
    """News links: an http(s) address with a host and no white space (a line break in a link
    once made a `javascript:` link out of the text after it)."""
    from urllib.parse import urlsplit

    if re.search(r"\s", link) or _UNWRITABLE.search(link):
        return _l("Each news link must be a web address (http:// or https://).")
    try:
        parts = urlsplit(link)
    except ValueError:
        return _l("Each news link must be a web address (http:// or https://).")
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return _l("Each news link must be a web address (http:// or https://).")
    return None


class CleanText:
    """The rule as a WTForms validator: refuses what it must, and stores the cleaned text."""

    def __init__(self, max_length, multiline=False):
        self.max_length = max_length
        self.multiline = multiline

    def __call__(self, form, field):
        from wtforms.validators import StopValidation

        if not isinstance(field.data, str):
            return
        try:
            field.data = clean(field.data, max_length=self.max_length, multiline=self.multiline)
        except TextProblem as error:
            raise StopValidation(error.message) from None
