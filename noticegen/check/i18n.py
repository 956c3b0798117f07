"""Translation coverage per language and document, and Babel's extract and update."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..layout import CATALOG_DOMAIN, LOCALES, catalog_path
from ..model.languages import LANGUAGES
from ..plan.registry import kinds
from ..render.catalogs import load_catalog


def template_path(locales: Path) -> Path:
    return locales / f'{CATALOG_DOMAIN}.pot'


# The header comment of every catalog; the fields below it are Babel's, completed so that
# `msgfmt --check` and PO editors (Poedit, Weblate) accept the files.
HEADER_COMMENT = (
    "# noticegen's template strings{language}.\n"
    "# Translate with Poedit or Weblate; refresh from the templates with\n"
    "# ./dev.sh i18n --extract (see docs/reference.md, Catalogs for translators).")
# A catalog made by extract for a language that has none yet.
NEW_TRANSLATOR = 'none yet'
# Header lines that change without any message changing: not a reason to rewrite a file.
VOLATILE_HEADERS = re.compile(rb'^"(POT-Creation-Date|Generated-By): .*\\n"\n', re.M)


def _render(catalog, **options) -> bytes:
    from babel.messages.pofile import write_po
    buffer = io.BytesIO()
    write_po(buffer, catalog, sort_output=True, width=100, include_lineno=False,
             include_previous=True, **options)
    return buffer.getvalue()


def _write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` unless the file holds the same, but for its header dates."""
    try:
        old = path.read_bytes()
    except OSError:
        old = None
    if old is not None and VOLATILE_HEADERS.sub(b'', old) == VOLATILE_HEADERS.sub(b'', data):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def extract(templates: Path, package: Path, locales: Path) -> list[Path]:
    """pybabel extract + update: refresh messages.pot and every language's .po file.

    Messages come from the templates ({{ _('...') }}) and from the code that localizes
    (gettext('...') anywhere in the package: the formats, and the kinds). Locations are
    paths without line numbers (templates/leaflet.html, noticegen/model/localize.py), so
    that moving code changes no catalog. A changed English string keeps its translation,
    marked fuzzy (a build does not print it until a translator clears the mark); a removed
    one is kept as obsolete (#~). A file whose messages did not change is not written, so
    its header dates stay. Returns the files written.
    """
    from babel.messages.catalog import Catalog as BabelCatalog
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po
    template = BabelCatalog(project='noticegen', version=__version__, charset='utf-8',
                            fuzzy=True, msgid_bugs_address='',
                            header_comment=HEADER_COMMENT.format(language=''))
    method_map = [('*.html', 'jinja2')]
    options = {'*.html': {'extensions': 'jinja2.ext.i18n', 'trimmed': 'true'}}
    found = [(f'{templates.name}/{filename}', message, comments) for filename, _, message,
             comments, _ in extract_from_dir(str(templates), method_map=method_map,
                                             options_map=options)]
    found += [(f'{package.name}/{filename}', message, comments) for filename, _, message,
              comments, _ in extract_from_dir(str(package), method_map=[('**.py', 'python')],
                                              keywords={'gettext': None})]
    for filename, message, comments in found:
        template.add(message, locations=[(filename, None)], auto_comments=comments)
    written = []
    if _write_if_changed(template_path(locales), _render(template)):
        written.append(template_path(locales))
    for lang in LANGUAGES:
        if lang == 'en':
            continue  # the msgids are English
        language = LANGUAGES[lang]
        path = catalog_path(locales, lang)
        if path.is_file():
            with path.open('rb') as stream:
                catalog = read_po(stream, locale=language.babel)
        else:
            catalog = BabelCatalog(locale=language.babel, charset='utf-8',
                                   last_translator=NEW_TRANSLATOR)
        catalog.update(template, no_fuzzy_matching=False)
        catalog.project, catalog.version = 'noticegen', __version__
        catalog.msgid_bugs_address = ''   # no address yet: the owner names none
        catalog.fuzzy = False   # a fuzzy header is no header to msgfmt and PO editors
        catalog.header_comment = HEADER_COMMENT.format(
            language=f' in {language.english} ({lang})')
        if catalog.language_team in ('', 'LANGUAGE <LL@li.org>'):
            catalog.language_team = 'none'
        if catalog.last_translator in ('', 'FULL NAME <EMAIL@ADDRESS>'):
            catalog.last_translator = NEW_TRANSLATOR
        if isinstance(catalog.revision_date, str):   # the placeholder: never revised
            catalog.revision_date = catalog.creation_date
        if _write_if_changed(path, _render(catalog, ignore_obsolete=False)):
            written.append(path)
    return written


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
    """Per language and document: how much is translated, its review status and source.

    The template strings are the core's; every kind adds the rows of its own texts.
    """
    locales = project.root / LOCALES
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
        for kind in kinds():
            rows += kind.coverage(project, lang)
        if not LANGUAGES[lang].japanese:
            rows.append(wording_coverage(project, lang))
    return rows


def printed_wording(project) -> dict[str, set[str]]:
    """The labels, hours (of a shape the code does not translate) and center names that
    print today (at the data set's own date), by part of prefectures/wording.LANG.yaml."""
    from ..model.facts import as_of_date, printing
    from ..model.localize import hours_text
    found: dict[str, set[str]] = {'phone_labels': set(), 'hours': set(), 'names': set()}
    if project.national is None or project.limits is None:
        return found
    judge = project.judge(as_of_date(project.national.valid_as_of))

    def untranslated(text):
        return text and hours_text(text, 'en', lambda message: message)[1]

    for data in project.prefectures.values():
        for item in printing(data.prefecture, judge).centers:
            found['names'].add(item.center.name)
            if untranslated(item.hours):
                found['hours'].add(item.hours)
            for shown in item.phones:
                found['phone_labels'].add(shown.phone.label)
                if untranslated(shown.hours):
                    found['hours'].add(shown.hours)
    return found


def wording_coverage(project, lang: str) -> Coverage:
    """How many of the labels, hours and names that print have a translation into ``lang``."""
    wanted = printed_wording(project)
    total = sum(len(texts) for texts in wanted.values())
    if lang not in project.wording:
        return Coverage(lang, 'wording', 0, total, 'missing')
    labels, source = project.wording[lang]
    missing = [text for part, texts in wanted.items() for text in sorted(texts)
               if text not in getattr(labels, part)]
    return Coverage(lang, 'wording', total - len(missing), total,
                    'reviewed' if labels.translation.reviewed else 'unreviewed', source.path,
                    missing)
