"""The sign-in code format, shared with the PWA (static/app/code.js uses the same vectors)."""
import pytest

from lwpwa.residents import codes

VECTORS = ["0123456789ABCDEF8", "789ABCDEFGHJKMNPW", "EFGHJKMNPQRSTVWXH"]


@pytest.mark.parametrize("code", VECTORS)
def test_vectors_are_valid_and_every_single_change_is_caught(code):
    assert codes.parse(code) == code
    for position in range(len(code)):
        for replacement in codes.ALPHABET:
            if replacement != code[position]:
                assert codes.parse(code[:position] + replacement + code[position + 1:]) is None


def test_people_may_type_it_their_way():
    code = codes.new_code()
    typed = codes.grouped(code).lower().replace("0", "o").replace("1", "l")
    assert codes.parse(typed) == code
    assert codes.parse(" " + codes.grouped(code) + " ") == code


def test_adjacent_swaps_are_mostly_caught():
    caught = total = 0
    for _ in range(300):
        code = codes.new_code()
        for i in range(len(code) - 1):
            if code[i] != code[i + 1]:
                total += 1
                caught += codes.parse(code[:i] + code[i + 1] + code[i] + code[i + 2:]) is None
    assert caught / total > 0.9


@pytest.mark.parametrize("text", ["", "https://example.org/", "LW1M9S346Q3D25VT4F5V", "A" * 70, None, 17,
                                  "0123456789ABCDEFU"])
def test_other_texts_are_not_codes(text):
    assert codes.parse(text) is None
