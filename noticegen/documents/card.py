"""The patient card: one page per prefecture and language, handed to a patient."""

from __future__ import annotations

from ..errors import warning
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
    pages = 1
    localized = True
    declared = True
    outputs_help = 'a one-page patient card per prefecture and language (needs cards/)'

    def notice_problems(self, notice_set, project):
        if 'ja' not in project.cards:
            yield (), 'needs the card texts, cards/patient-card.yaml and patient-card.en.yaml'

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
                    yield context.make(
                        self, f'{context.base}/cards/{context.stem(prefecture)}.{lang}.pdf',
                        (*texts, *context.data_inputs(prefecture), *project.wording_paths(lang)),
                        lang=lang,
                        prefecture=prefecture, as_of=context.as_of)

    def describe(self, job):
        prefecture = job.prefecture.prefecture
        return f'patient card ({job.lang}) for {prefecture.code} {prefecture.name}'

    def html(self, job, context):
        project = context.project
        national = project.national
        prefecture = job.prefecture.prefecture
        lang = job.lang
        text, _ = project.card(lang)
        source, _ = project.cards['ja']
        catalog = context.renderer.use_language(lang)
        resolved = resolve_texts(project, prefecture, job.as_of, {'card': source},
                                 {'card': text} if lang != 'ja' else {})
        return context.renderer.html(
            self.template, lang, card=resolved.texts['card'], language=LANGUAGES[lang],
            reviewed=project.is_reviewed(lang) and labels_reviewed(project, lang),
            national=national, prefecture_label=prefecture_name(prefecture, lang),
            centers=center_views(resolved.printed, lang, catalog.gettext,
                                 label_translations(project, lang)),
            shown=resolved.shown, sns_hours=sns_hours(national, lang, catalog.gettext),
            as_of_text=date_text(resolved.dated, lang),
            created=f'{job.as_of.isoformat()}T00:00:00+09:00')

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
