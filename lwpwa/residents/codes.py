"""Sign-in codes: 80 random bits in Crockford base32, plus one Luhn mod 32 check character.

A code is 17 characters, printed in groups as ``ABCD-EFGH-JKMN-PQRS-T``. It carries no personal
data. The check character catches every single mistyped character and most swaps of two
neighbours, on the phone, before anything is queued. The PWA mirrors this in JavaScript
(static/app/code.js); both are tested against the same vectors.
"""
import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
BODY_LENGTH = 16  # 16 × 5 bits = 80 random bits
CODE_LENGTH = BODY_LENGTH + 1
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
# What people type or misread: lower case, O for zero, I or L for one, spaces and dashes.
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_.]+")


def check_character(body):
    """Luhn mod N (N = 32) over the body, as in ISO/IEC 7064-style check digits."""
    factor, total, n = 2, 0, len(ALPHABET)
    for ch in reversed(body):
        addend = factor * _VALUE[ch]
        factor = 1 if factor == 2 else 2
        total += addend // n + addend % n
    return ALPHABET[(n - total % n) % n]


def new_code():
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + check_character(body)


def normalize(text):
    """The canonical form of what was scanned or typed, or None if it cannot be a code."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    candidate = _SEPARATORS.sub("", text).upper().translate(_CONFUSABLE)
    if len(candidate) != CODE_LENGTH or any(ch not in _VALUE for ch in candidate):
        return None
    return candidate


def is_valid(text):
    code = normalize(text)
    return code is not None and check_character(code[:-1]) == code[-1]


def parse(text):
    """The canonical code if `text` is a well-formed code with a correct check character."""
    code = normalize(text)
    if code is None or check_character(code[:-1]) != code[-1]:
        return None
    return code


def grouped(code):
    """ABCD-EFGH-JKMN-PQRS-T: easier to read aloud and to type by hand."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))
