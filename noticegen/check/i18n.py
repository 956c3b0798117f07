"""Translation coverage per language and document, and Babel's extract and update."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..layout import CATALOG_DOMAIN, LOCALES, catalog_path
from ..model.languages import LANGUAGES
from ..plan.registry import kinds
from ..render.catalogs import load_catalog


def template_path(locales: Path) -> Path:
    return locales / f'{CATALOG_DOMAIN}.pot'


def extract(templates: Path, package: Path, locales: Path) -> None:
    """pybabel extract + update: refresh messages.pot and every language's .po file.

    Messages come from the templates ({{ _('...') }}) and from the code that localizes
    (gettext('...') anywhere in the package: the formats, and the kinds).
    """
    from babel.messages.catalog import Catalog as BabelCatalog
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po, write_po
    template = BabelCatalog(project='noticegen', charset='utf-8')
    method_map = [('*.html', 'jinja2')]
    options = {'*.html': {'extensions': 'jinja2.ext.i18n', 'trimmed': 'true'}}
    found = list(extract_from_dir(str(templates), method_map=method_map, options_map=options))
    found += extract_from_dir(str(package), method_map=[('**.py', 'python')],
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
