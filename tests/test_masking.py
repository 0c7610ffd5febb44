"""Names inside a unit are masked wherever people are listed: the first character stays."""
import pytest
from flask import render_template_string

from lwpwa.residents.masking import mask_name


@pytest.mark.parametrize("name, masked", [
    ("张三", "张*"),
    ("欧阳娜娜", "欧***"),
    ("李", "*"),
    ("  王小明 ", "王**"),
    ("Anna", "A***"),
    ("", ""),
    ("   ", ""),
    (None, ""),
])
def test_mask_name(name, masked):
    assert mask_name(name) == masked


def test_templates_mask_with_a_filter(app):
    with app.test_request_context():
        assert render_template_string("{{ name|masked }}", name="张秀英") == "张**"
        assert render_template_string("{{ none|masked }}", none=None) == ""
