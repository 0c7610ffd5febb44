"""One set of gettext catalogs for pages and the PWA: every string in the code is in them, and
every one has its Chinese (zh_Hans is the default language)."""
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def catalog(lang):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=lang)


def test_every_string_has_its_chinese():
    missing = [m.id for m in catalog("zh_Hans") if m.id and (not m.string or m.fuzzy)]
    assert not missing, f"translate these in translations/zh_Hans (make messages): {missing}"


def test_the_catalogs_hold_every_string_of_the_code(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-k", "_l", "-k", "lazy_gettext", "-k", "_n:1,2", "-o", str(pot), "--no-location",
                    "--ignore-dirs=.venv node_modules", "."], cwd=ROOT, check=True, capture_output=True)
    with open(pot, "rb") as handle:
        in_code = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    for lang in ("zh_Hans", "en"):
        in_catalog = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog(lang) if m.id}
        assert not in_code - in_catalog, f"run `make messages` and translate: {sorted(in_code - in_catalog)}"
