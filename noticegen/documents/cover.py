"""The 送付状 that opens each prefecture's packet: sender, enclosures with page counts, 照会先."""

from __future__ import annotations

from ..assemble.pdf import page_count
from ..model.addressing import recipients
from ..plan.registry import DocumentKind, register


@register
class Cover(DocumentKind):
    name = 'cover'
    title = '送付状'
    order = 40
    phase = 'prefecture'
    template = 'cover.html'
    stylesheet = 'cover.css'
    pages = 1
    declared = True
    outputs_help = ("the 送付状 opening each prefecture's packet, in the notice's `cover:` "
                    'wording')

    def notice_problems(self, notice_set, project):
        if notice_set.notice.cover is None:
            yield (), 'needs its wording: add cover: (title, body, enclosures_heading, closing)'

    def jobs(self, context):
        notice_set = context.notice_set
        cover = notice_set.notice.cover
        if cover is None or not context.declares(self):
            return
        for prefecture in context.prefectures:
            parts = tuple(job.output for job in context.enclosures(prefecture))
            yield context.make(self, f'{context.base}/covers/{context.stem(prefecture)}.pdf',
                               (notice_set.source.path, prefecture.source.path,
                                *context.project.facts_paths),
                               prefecture=prefecture, parts=parts, title=cover.title,
                               as_of=context.as_of)

    def describe(self, job):
        prefecture = job.prefecture.prefecture
        return f'cover letter for {prefecture.code} {prefecture.name}'

    def html(self, job, context):
        notice = job.notice.notice
        prefecture = job.prefecture.prefecture
        return context.renderer.html(
            self.template, notice=notice, cover=notice.cover, prefecture=prefecture,
            recipients=recipients(notice, prefecture, context.project.judge(job.as_of)),
            enclosures=[{'title': context.jobs[part].title,
                         'pages': page_count(context.parts[part])} for part in job.parts])
