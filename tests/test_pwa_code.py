"""static/app/code.js must accept and refuse exactly what lwpwa/residents/codes.py does."""
import json
import os
import shutil
import subprocess

import pytest

from lwpwa.pwa.assets import APP_DIR
from lwpwa.residents import codes

VECTORS = ["0123456789ABCDEF8", "789ABCDEFGHJKMNPW", "EFGHJKMNPQRSTVWXH"]


def run_js(texts):
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("node is required (it also installs the PWA's libraries)")
        pytest.skip("node is not installed")
    script = (
        f"import {{ parse }} from {json.dumps((APP_DIR / 'code.js').as_uri())};"
        "const texts = JSON.parse(process.argv[1]);"
        "console.log(JSON.stringify(texts.map(parse)));"
    )
    result = subprocess.run([node, "--input-type=module", "-e", script, json.dumps(texts)],
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def single_changes(code):
    return [code[:i] + ch + code[i + 1:] for i in range(len(code)) for ch in codes.ALPHABET if ch != code[i]]


def test_the_shared_vectors_validate_and_every_single_change_fails():
    assert run_js(VECTORS) == VECTORS
    for vector in VECTORS:
        assert codes.parse(vector) == vector
        changed = single_changes(vector)
        assert run_js(changed) == [None] * len(changed)


def test_javascript_and_python_agree_on_what_people_type():
    fresh = [codes.new_code() for _ in range(50)]
    texts = fresh + [c.lower() for c in fresh[:5]] + [codes.grouped(c) for c in fresh[:5]]
    texts += [fresh[0].replace("1", "I"), fresh[1].replace("0", "O"), " " + fresh[2] + ". ",
              fresh[3][:-1], fresh[4] + "0", "LW1M9S346Q3D25VT4F5V", "https://example.org/c/" + fresh[5],
              "张三 13800138000", "", "U" * 17, fresh[6][1:] + fresh[6][0]]
    assert run_js(texts) == [codes.parse(t) for t in texts]
