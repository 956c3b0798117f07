"""Message catalogs for template strings (gettext .po files, compiled in memory by Babel)."""

from __future__ import annotations

import gettext
import io
from pathlib import Path

from ..layout import catalog_path
from ..model.languages import LANGUAGES


class Catalog(gettext.NullTranslations):
    """One language's template strings; a missing one falls back to English and is recorded."""

    def __init__(self, lang: str, messages: dict[str, str]):
        super().__init__()
        self.lang = lang
        self.messages = messages
        self.missing: set[str] = set()

    def gettext(self, message: str) -> str:
        translated = self.messages.get(message)
        if translated:
            return translated
        if self.lang != 'en':
            self.missing.add(message)
        return message  # the msgid is the English text

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


def load_catalog(locales: Path, lang: str) -> Catalog:
    """Read and compile ``lang``'s .po file (Babel), in memory."""
    from babel.messages.mofile import read_mo, write_mo
    from babel.messages.pofile import read_po
    path = catalog_path(locales, lang)
    if not path.is_file():
        return Catalog(lang, {})
    with path.open('rb') as stream:
        catalog = read_po(stream, locale=LANGUAGES[lang].babel)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)   # the same compilation `pybabel compile` does
    compiled.seek(0)
    messages = {message.id: message.string for message in read_mo(compiled)
                if message.id and message.string}
    return Catalog(lang, messages)
