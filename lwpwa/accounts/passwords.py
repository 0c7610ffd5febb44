"""Password hashing with Argon2id, the memory-hard function OWASP recommends."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

# Verifying against this when the user does not exist keeps the timing the same.
_DUMMY_PASSWORD = "not-a-real-password"


def _hasher():
    config = current_app.config
    return PasswordHasher(
        time_cost=config["PASSWORD_TIME_COST"],
        memory_cost=config["PASSWORD_MEMORY_KIB"],
        parallelism=config["PASSWORD_PARALLELISM"],
    )


def hash_password(password):
    return _hasher().hash(password)


def verify_password(password_hash, password):
    """True if the password matches; a missing hash still costs one verification."""
    hasher = _hasher()
    try:
        return hasher.verify(password_hash or hasher.hash(_DUMMY_PASSWORD), password) and bool(
            password_hash
        )
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    return _hasher().check_needs_rehash(password_hash)


def password_problem(password):
    """A reason the password is too weak, or None."""
    if not isinstance(password, str) or len(password) < 8:
        return "too_short"
    if len(password) > 256:
        return "too_long"
    return None
