"""The client's strings: the gettext catalogs of translations/, as JSON per locale.

Only the msgids that the PWA's JavaScript uses are sent (the server's own strings stay on the
server), read from the `_('…')` calls in static/app/ — the same calls `make messages` extracts.
"""
import re

from babel.support import Translations

from .assets import APP_DIR, TRANSLATIONS_DIR

_CALL = re.compile(r"""\b_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*[,)]""")


def client_msgids():
    ids = set()
    for path in sorted(APP_DIR.rglob("*.js")):
        for double, single in _CALL.findall(path.read_text(encoding="utf-8")):
            text = double or single
            ids.add(text.encode("utf-8").decode("unicode_escape") if "\\" in text else text)
    return sorted(ids)


def client_catalog(locale):
    """{msgid: translation} for every client string; English falls back to the msgid itself."""
    translations = Translations.load(str(TRANSLATIONS_DIR), [locale], domain="messages")
    return {msgid: translations.gettext(msgid) for msgid in client_msgids()}
