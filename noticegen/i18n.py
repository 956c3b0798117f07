"""Message catalogs for template strings (gettext, managed with Babel), and their coverage."""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass, field
from pathlib import Path

from .languages import LANGUAGES

DOMAIN = 'messages'


def catalog_path(locales: Path, lang: str) -> Path:
    return locales / lang / 'LC_MESSAGES' / f'{DOMAIN}.po'


def template_path(locales: Path) -> Path:
    return locales / f'{DOMAIN}.pot'


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


def extract(templates: Path, package: Path, locales: Path) -> None:
    """pybabel extract + update: refresh messages.pot and every language's .po file.

    Messages come from the templates ({{ _('...') }}) and from the code that localizes
    (gettext('...') in localize.py and render.py).
    """
    from babel.messages.catalog import Catalog as BabelCatalog
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po, write_po
    template = BabelCatalog(project='noticegen', charset='utf-8')
    method_map = [('*.html', 'jinja2')]
    options = {'*.html': {'extensions': 'jinja2.ext.i18n', 'trimmed': 'true'}}
    found = list(extract_from_dir(str(templates), method_map=method_map, options_map=options))
    found += extract_from_dir(str(package), method_map=[('localize.py', 'python'),
                                                         ('render.py', 'python')],
                              keywords={'gettext': None})
    for filename, lineno, message, comments, context in found:
        template.add(message, locations=[(filename, lineno)], auto_comments=comments)
    locales.mkdir(parents=True, exist_ok=True)
    with template_path(locales).open('wb') as stream:
        write_po(stream, template, omit_header=True, sort_output=True, width=100)
    for lang in LANGUAGES:
        if lang == 'en':
            continue  # the msgids are English
        path = catalog_path(locales, lang)
        if path.is_file():
            with path.open('rb') as stream:
                catalog = read_po(stream, locale=LANGUAGES[lang].babel)
        else:
            catalog = BabelCatalog(locale=LANGUAGES[lang].babel, charset='utf-8')
        catalog.update(template, no_fuzzy_matching=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open('wb') as stream:
            write_po(stream, catalog, omit_header=True, sort_output=True, width=100,
                     ignore_obsolete=True)


def template_messages(locales: Path) -> list[str]:
    from babel.messages.pofile import read_po
    path = template_path(locales)
    if not path.is_file():
        return []
    with path.open('rb') as stream:
        return [message.id for message in read_po(stream) if message.id]


@dataclass
class Coverage:
    lang: str
    document: str
    translated: int
    total: int
    status: str          # source, reviewed, unreviewed, missing
    source: str = ''
    missing: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.translated / self.total if self.total else 1.0


def coverage(project) -> list[Coverage]:
    """Per language and document: how much is translated, its review status and source."""
    from .model import CARD_FIELDS
    locales = project.root / 'locales'
    messages = template_messages(locales)
    rows = []
    for lang in LANGUAGES:
        if lang == 'en':
            rows.append(Coverage(lang, 'templates', len(messages), len(messages), 'source',
                                 'the English msgids'))
        else:
            catalog = load_catalog(locales, lang)
            missing = [m for m in messages if m not in catalog.messages]
            exists = catalog_path(locales, lang).is_file()
            rows.append(Coverage(lang, 'templates', len(messages) - len(missing), len(messages),
                                 'translated' if exists else 'missing',
                                 str(catalog_path(locales, lang).relative_to(project.root))
                                 if exists else '', missing))
        if lang in project.cards:
            card, source = project.cards[lang]
            missing = card.missing
            status = 'source' if card.translation is None else (
                'reviewed' if card.translation.reviewed else 'unreviewed')
            origin = card.translation.source if card.translation else source.path
            rows.append(Coverage(lang, 'card', len(CARD_FIELDS) - len(missing), len(CARD_FIELDS),
                                 status, origin, missing))
        else:
            rows.append(Coverage(lang, 'card', 0, len(CARD_FIELDS), 'missing'))
        for notice_set in project.notices:
            for attachment in notice_set.attachments:
                if attachment.kind != 'leaflet':
                    continue
                if lang == 'ja':
                    rows.append(Coverage(lang, 'leaflet', 1, 1, 'source',
                                         notice_set.attachment_sources[
                                             notice_set.attachments.index(attachment)].path))
                elif lang in notice_set.translations.get(attachment.number, {}):
                    translation, _ = notice_set.translations[attachment.number][lang]
                    rows.append(Coverage(lang, 'leaflet', 1, 1, 'reviewed' if
                                         translation.translation.reviewed else 'unreviewed',
                                         translation.translation.source))
    return rows


def is_reviewed(project, lang: str) -> bool:
    """A language is reviewed when its card translation has been reviewed (or it is ja)."""
    if lang == 'ja':
        return True
    card = project.cards.get(lang)
    return bool(card and card[0].translation and card[0].translation.reviewed)
