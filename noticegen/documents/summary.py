"""別添 summary sheets: one page on a document we do not have, never passed off as it."""

from __future__ import annotations

from ..model.numbering import attachment_label, attachment_stem
from ..model.schema import SummaryAttachment
from ..plan.registry import DocumentKind, register


@register
class Summary(DocumentKind):
    name = 'summary'
    family = 'attachment'
    title = '別添'
    order = 20
    template = 'summary.html'
    stylesheet = 'summary.css'
    formats = ('screen', 'archive')
    pages = 1

    def jobs(self, context):
        notice_set = context.notice_set
        notice = notice_set.notice
        for attachment, source in zip(notice_set.attachments, notice_set.attachment_sources):
            if isinstance(attachment, SummaryAttachment):
                label = attachment_label(notice, attachment)
                yield context.make(self, f'{context.base}/{attachment_stem(attachment)}.pdf',
                                   (notice_set.source.path, source.path), attachment=attachment,
                                   enclosure=notice_set.enclosure(attachment),
                                   title=f'{label} {attachment.title}')

    def describe(self, job):
        return f'{attachment_label(job.notice.notice, job.attachment)} summary sheet'

    def html(self, job, context):
        notice = job.notice.notice
        return context.renderer.html(self.template, notice=notice, attachment=job.attachment,
                                     label=attachment_label(notice, job.attachment))
