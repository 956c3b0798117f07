"""別添1, the leaflet: two A4 pages per prefecture, in Japanese and its translations."""

from __future__ import annotations

from ..errors import RenderError
from ..model.languages import LANGUAGES
from ..model.localize import date_text, prefecture_name
from ..model.numbering import attachment_label
from ..model.schema import LeafletAttachment
from ..plan.registry import DocumentKind, register
from .centers import center_views, label_translations, labels_reviewed, sns_hours
from .texts import resolve_texts


def leaflets(notice_set):
    """The notice's leaflet attachments with their sources."""
    return [(attachment, source) for attachment, source
            in zip(notice_set.attachments, notice_set.attachment_sources)
            if isinstance(attachment, LeafletAttachment)]


@register
class Leaflet(DocumentKind):
    name = 'leaflet'
    title = '別添1 リーフレット'
    order = 10
    phase = 'prefecture'
    template = 'leaflet.html'
    stylesheet = 'leaflet.css'
    pages = 2
    localized = True
    formats = ('screen', 'print', 'archive')

    def language_stylesheet(self, job):
        return None if job.lang == 'ja' else LANGUAGES[job.lang].stylesheet

    def stylesheets(self, job):
        extra = self.language_stylesheet(job)
        return [self.stylesheet, *([extra] if extra else [])]

    def jobs(self, context):
        notice_set = context.notice_set
        notice = notice_set.notice
        for prefecture in context.prefectures:
            stem = context.stem(prefecture)
            for attachment, source in leaflets(notice_set):
                inputs = (notice_set.source.path, source.path, *context.data_inputs(prefecture))
                label = attachment_label(notice, attachment)
                yield context.make(self, f'{context.base}/leaflets/{stem}.pdf', inputs,
                                   attachment=attachment, prefecture=prefecture,
                                   enclosure=notice_set.enclosure(attachment),
                                   as_of=context.as_of,
                                   title=f'{label} {attachment.title}')
                translations = notice_set.translations.get(attachment.number, {})
                for lang, (_, translation) in sorted(translations.items()):
                    if lang in context.langs:
                        yield context.make(self, f'{context.base}/leaflets/{stem}.{lang}.pdf',
                                           (*inputs, translation.path,
                                            *context.project.wording_paths(lang)), lang=lang,
                                           attachment=attachment, prefecture=prefecture,
                                           as_of=context.as_of)

    def describe(self, job):
        prefecture = job.prefecture.prefecture
        label = attachment_label(job.notice.notice, job.attachment)
        suffix = '' if job.lang == 'ja' else f' ({job.lang})'
        return f'{label} leaflet{suffix} for {prefecture.code} {prefecture.name}'

    # How page 2 ends: the national services in full, compact, or not at all.
    NATIONAL_MODES = ('full', 'compact', None)

    def produce(self, job, context):
        """Page 2 ends with the national services: in full where they fit, else compact,
        else left out (page 1's band always has the national numbers). Where no center
        prints, they always fit in full. The type sizes never change: a page with fewer
        centers is filled with the services."""
        renderer, name = context.renderer, self.describe(job)
        stylesheets = list(job.stylesheets)
        modes = self.NATIONAL_MODES
        for mode in modes:
            try:
                return renderer.pdf(self.html(job, context, mode), stylesheets, name,
                                    self.pages)
            except RenderError:
                if mode == modes[-1]:
                    raise
        raise AssertionError('unreachable')

    def _printing(self, job, context):
        attachment = job.attachment
        translated = (None if job.lang == 'ja'
                      else job.notice.translations[attachment.number][job.lang][0])
        return resolve_texts(
            context.project, job.prefecture.prefecture, job.as_of,
            {'front': attachment.front, 'back': attachment.back},
            {'front': translated.front, 'back': translated.back} if translated else {})

    def html(self, job, context, national_mode='auto'):
        notice = job.notice.notice
        national = context.project.national
        prefecture = job.prefecture.prefecture
        attachment, lang = job.attachment, job.lang
        catalog = context.renderer.use_language(lang)
        if lang == 'ja':
            translated, reviewed = None, True
            label = attachment_label(notice, attachment)
            title = f'{label} {attachment.title}（{prefecture.name}）'
        else:
            translated, _ = job.notice.translations[attachment.number][lang]
            reviewed = (translated.translation.reviewed
                        and labels_reviewed(context.project, lang))
            label = catalog.gettext('Attachment %(number)s') % {'number': attachment.number}
            title = f'{label} {translated.title} ({prefecture_name(prefecture, lang)})'
        resolved = self._printing(job, context)
        if national_mode == 'auto':   # the preview's HTML: the mode a build tries first
            national_mode = self.NATIONAL_MODES[0]
        return context.renderer.html(
            self.template, lang, notice=notice, language=LANGUAGES[lang], doc_title=title,
            label=label, front=resolved.texts['front'], back=resolved.texts['back'],
            reviewed=reviewed, national=national,
            prefecture_label=prefecture_name(prefecture, lang),
            has_direct_number=resolved.printed.has_direct_number,
            centers=center_views(resolved.printed, lang, catalog.gettext,
                                 label_translations(context.project, lang)),
            sns_hours=sns_hours(national, lang, catalog.gettext), shown=resolved.shown,
            national_mode=national_mode,
            as_of_text=date_text(resolved.dated, lang, notice.style.digits))

    def coverage(self, project, lang):
        from ..check.i18n import Coverage
        rows = []
        for notice_set in project.notices:
            for attachment, source in leaflets(notice_set):
                if lang == 'ja':
                    rows.append(Coverage(lang, self.name, 1, 1, 'source', source.path))
                elif lang in notice_set.translations.get(attachment.number, {}):
                    translation, _ = notice_set.translations[attachment.number][lang]
                    rows.append(Coverage(lang, self.name, 1, 1, 'reviewed' if
                                         translation.translation.reviewed else 'unreviewed',
                                         translation.translation.source))
        return rows
