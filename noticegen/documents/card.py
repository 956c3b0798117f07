"""The patient card: an A6 sheet folded to 105 × 74 mm (four faces, one page each), per
prefecture and language, handed to a patient. A face that overflows fails the build, naming
the first item (in priority order) that did not fit, at its line in the card's YAML.

ja-easy has two editions: the printed card with furigana (readings from the card's YAML),
and ``.screen.pdf`` without furigana, with a space between phrases, for screen readers."""

from __future__ import annotations

from ..errors import RenderError, warning
from ..model.breaking import missing_readings
from ..model.languages import LANGUAGES
from ..model.localize import date_text, prefecture_name
from ..model.schema import CARD_FIELDS
from ..plan.registry import DocumentKind, register
from .centers import center_views, label_translations, labels_reviewed, sns_hours
from .texts import resolve_texts


@register
class Card(DocumentKind):
    name = 'card'
    title = '患者さん向けカード'
    order = 20
    phase = 'prefecture'
    template = 'card.html'
    stylesheet = 'card.css'
    pages = 4           # four faces of a folded A6 card
    localized = True
    declared = True
    formats = ('screen', 'print')

    def made_in(self, job, fmt):
        """The screen-reader edition (``.screen.pdf``) is not printed."""
        return fmt in self.formats and (fmt == 'screen' or job.fingerprint != 'screen')
    outputs_help = ('a folded patient card (105 × 74 mm, four faces) per prefecture and '
                    'language, and its A4 imposed sheet (needs cards/)')
    # What the items of the template are, for the "does not fit" error.
    ITEMS = {'title': 'the title', 'short_dial_lead': '#8891', 'hikari_lead': '0120-8891-77',
             'centers_heading': "the prefecture's centers", 'number': "the prefecture's first "
             'number', 'hours': 'its hours', 'no_number': 'the line for a prefecture without a '
             'number', 'night_holiday': 'the night and holiday call center',
             'qr': "the QR code of the center's page", 'ip_phones': 'the IP-phone caveat',
             'short_dial_languages': 'the languages served', 'sns_lead': 'Cure Time',
             'as_of': 'the date', 'unreviewed': 'the review mark',
             'language': "the language's own name"}

    def notice_problems(self, notice_set, project):
        if 'ja' not in project.cards:
            yield (), 'needs the card texts, cards/patient-card.yaml and patient-card.en.yaml'

    def commands(self):
        from .readings import command
        return [command(lambda *args: printed_texts(card_values(*args)))]

    def language_stylesheet(self, job):
        return LANGUAGES[job.lang].stylesheet

    def stylesheets(self, job):
        return [self.stylesheet, self.language_stylesheet(job)]

    def jobs(self, context):
        project = context.project
        if not context.declares(self):
            return
        for prefecture in context.prefectures:
            for lang in context.langs:
                if lang in project.cards:
                    # A missing field falls back to the English card: both shape it.
                    texts = tuple(project.cards[code][1].path
                                  for code in dict.fromkeys(('ja', lang, 'en')))
                    inputs = (*texts, *context.data_inputs(prefecture),
                              *project.wording_paths(lang))
                    stem = f'{context.base}/cards/{context.stem(prefecture)}.{lang}'
                    yield context.make(self, f'{stem}.pdf', inputs, lang=lang,
                                       prefecture=prefecture, as_of=context.as_of)
                    if self.has_readings(project, lang):
                        # Furigana are in the text layer: an edition for screen readers.
                        yield context.make(self, f'{stem}.screen.pdf', inputs, lang=lang,
                                           prefecture=prefecture, as_of=context.as_of,
                                           fingerprint='screen')

    @staticmethod
    def has_readings(project, lang: str) -> bool:
        return lang in project.cards and project.cards[lang][0].readings is not None

    def describe(self, job):
        prefecture = job.prefecture.prefecture
        edition = ', screen edition' if job.fingerprint == 'screen' else ''
        return f'patient card ({job.lang}{edition}) for {prefecture.code} {prefecture.name}'

    def html(self, job, context):
        project = context.project
        lang = job.lang
        text, _ = project.card(lang)
        catalog = context.renderer.use_language(lang)
        screen = job.fingerprint == 'screen'
        values = card_values(project, job.prefecture.prefecture, lang, job.as_of,
                             catalog.gettext)
        readings = None if screen else text.readings
        if readings is not None:
            missing = missing_readings(printed_texts(values), readings)
            if missing:
                _, where = project.cards[lang]
                line, col = where.where(('readings',), key=True)
                context.warn(str(warning(
                    where.path, line, col,
                    f'readings: no reading for {", ".join(repr(w) for w in missing)}: printed '
                    f'without furigana; run `noticegen card-readings` and review the readings '
                    f'it adds')))
        return context.renderer.html(self.template, lang, **values, screen=screen,
                                     furigana=readings,
                                     created=f'{job.as_of.isoformat()}T00:00:00+09:00')

    def produce(self, job, context):
        renderer = context.renderer
        document = renderer.render(self.html(job, context), list(job.stylesheets))
        self.check_faces(job, context, document)
        renderer.check_budget(document, self.describe(job), self.budget(job))
        return renderer.write(document)

    def check_faces(self, job, context, document) -> None:
        """Each face on its own page: the first item of a face found on a later page than
        the face's first is the first that did not fit. The error names it at its line."""
        seen: dict[str, int] = {}
        for number, page in enumerate(document.pages, start=1):
            face = None    # boxes come in document order: a face's box before its items
            for box in page._page_box.descendants():
                element = getattr(box, 'element', None)
                if element is None:
                    continue
                if element.get('data-face') is not None:
                    face = element.get('data-face')
                    seen.setdefault(face, number)
                item = element.get('data-item')
                if item is not None and face is not None and seen[face] != number:
                    raise RenderError(self.unfit(job, context, item, face))

    def unfit(self, job, context, item: str, face: str) -> str:
        project = context.project
        what = self.ITEMS.get(item, item)
        message = (f'{job.lang}: {what} does not fit face {face} of the {self.describe(job)} '
                   f'(105 × 74 mm, nothing under 7 pt): shorten this text or the ones before '
                   f'it on the face')
        if item in CARD_FIELDS:
            text, _ = project.cards[job.lang]
            code = job.lang if getattr(text, item) is not None else 'en'
            if job.lang == 'ja':
                code = 'ja'
            _, source = project.cards[code]
            return str(source.error((item,), message))
        return str(job.prefecture.source.error(('centers',), message))

    def translation_warnings(self, project, lang):
        if lang not in project.cards or not project.cards[lang][0].missing:
            return []
        card, source = project.cards[lang]
        return [warning(source.path, 1, 1, f'{lang}: card text falls back to English for: '
                                           f'{", ".join(card.missing)}')]

    def coverage(self, project, lang):
        from ..check.i18n import Coverage
        if lang not in project.cards:
            return [Coverage(lang, self.name, 0, len(CARD_FIELDS), 'missing')]
        card, source = project.cards[lang]
        status = 'source' if card.translation is None else (
            'reviewed' if card.translation.reviewed else 'unreviewed')
        origin = card.translation.source if card.translation else source.path
        return [Coverage(lang, self.name, len(CARD_FIELDS) - len(card.missing),
                         len(CARD_FIELDS), status, origin, card.missing)]


def first_number(centers: list[dict]) -> dict | None:
    """The prefecture's first printable number, with its center and hours."""
    for center in centers:
        for phone in center['phones']:
            hours = phone['hours'] or center['hours']
            japanese = phone['hours_japanese'] if phone['hours'] else center['hours_japanese']
            return {'center': center, 'phone': phone, 'hours': hours, 'hours_japanese': japanese}
    return None


def card_values(project, prefecture, lang: str, as_of, gettext) -> dict:
    """What the card template prints for ``prefecture`` in ``lang`` (the texts resolved by
    their claims, the first number, the QR code's page)."""
    national = project.national
    text, _ = project.card(lang)
    source, _ = project.cards['ja']
    resolved = resolve_texts(project, prefecture, as_of, {'card': source},
                             {'card': text} if lang != 'ja' else {})
    centers = center_views(resolved.printed, lang, gettext, label_translations(project, lang))
    page = next((center for center in centers if center['url']), None)
    return dict(
        card=resolved.texts['card'], language=LANGUAGES[lang],
        reviewed=project.is_reviewed(lang) and labels_reviewed(project, lang),
        national=national, prefecture_label=prefecture_name(prefecture, lang),
        first=first_number(centers),
        qr_url=page['url'] if page else None, qr_name=page['name'] if page else None,
        sns_hours=sns_hours(national, lang, gettext), as_of_text=date_text(resolved.dated, lang))


# The card's fields the template prints (intro and no_police_report are the leaflet's).
PRINTED = ('title', 'short_dial_lead', 'short_dial_cost', 'ip_phones', 'short_dial_languages',
           'hikari_lead', 'centers_heading', 'no_number', 'night_holiday', 'sns_lead',
           'sns_languages', 'abroad', 'as_of', 'hours_in_japanese', 'in_japanese', 'unreviewed')


def printed_texts(values: dict) -> list[str]:
    """Every text of ``card_values`` that the template sets in the card's language (what
    furigana go over)."""
    first = values['first']
    card = values['card']
    found = [card[name] for name in PRINTED if isinstance(card.get(name), str)]
    found += [values['prefecture_label'], values['national'].sns.name, values['as_of_text'],
              values['language'].name, values['sns_hours'] or '']
    if first:
        found += [first['center']['name'], first['phone']['label'] or '', first['hours'] or '']
    return [text for text in found if text]
