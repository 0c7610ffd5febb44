"""Password hashing with Argon2id, the memory-hard function OWASP recommends; common and
guessable passwords refused (zxcvbn, which knows the leaked-password lists, names, keyboard
patterns and dates)."""
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn import zxcvbn

MIN_LENGTH, MAX_LENGTH = 8, 256
# zxcvbn's own limit (its matching grows fast with length); what follows only adds strength.
ZXCVBN_PREFIX = 72
# zxcvbn scores 0-4; 0 and 1 are "too guessable" / "very guessable" (12345678, password, 1qaz2wsx).
MIN_SCORE = 2


def _hasher():
    config = current_app.config
    return PasswordHasher(
        time_cost=config["PASSWORD_TIME_COST"],
        memory_cost=config["PASSWORD_MEMORY_KIB"],
        parallelism=config["PASSWORD_PARALLELISM"],
    )


def hash_password(password):
    return _hasher().hash(password)


def _dummy_hash(hasher):
    """A hash of a random password at the current cost, made once per app and cost: an unknown
    username is then refused after one Argon2 verification, as a known one is (hashing a dummy
    password on each attempt cost a second computation, and told unknown names apart)."""
    key = ("lwpwa_dummy_hash", hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    cached = current_app.extensions.get(key)
    if cached is None:
        cached = current_app.extensions[key] = hasher.hash(secrets.token_urlsafe(32))
    return cached


def verify_password(password_hash, password):
    """True if the password matches; a missing hash costs the same one verification."""
    hasher = _hasher()
    try:
        return hasher.verify(password_hash or _dummy_hash(hasher), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    return _hasher().check_needs_rehash(password_hash)


def password_problem(password, user_inputs=()):
    """A reason the password is refused ("too_short", "too_long", "common"), or None.
    `user_inputs`: words a guesser would try first (the username, the unit's name)."""
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        return "too_short"
    if len(password) > MAX_LENGTH:
        return "too_long"
    words = [w for w in user_inputs if isinstance(w, str) and w]
    if zxcvbn(password[:ZXCVBN_PREFIX], user_inputs=words)["score"] < MIN_SCORE:
        return "common"
    return None


def password_message(problem):
    from flask_babel import gettext as _

    if problem == "common":
        return _("This password is too common or too easy to guess: use a longer one, "
                 "for example a few unrelated words.")
    return _("The password must have %(low)d to %(high)d characters.", low=MIN_LENGTH, high=MAX_LENGTH)


class StrongPassword:
    """The same rule as a WTForms validator (a password set on a page)."""

    def __call__(self, form, field):
        from wtforms.validators import ValidationError

        if isinstance(field.data, str):
            username = getattr(getattr(form, "username", None), "data", None)
            problem = password_problem(field.data, user_inputs=(username,))
            if problem:
                raise ValidationError(password_message(problem))
