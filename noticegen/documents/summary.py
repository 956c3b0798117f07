"""別添 summary sheets: one page on a document we do not have, never passed off as it."""

from __future__ import annotations

from ..model.numbering import attachment_label
from ..model.schema import SummaryAttachment
from ..plan.registry import register
from .per_attachment import PerAttachment


@register
class Summary(PerAttachment):
    name = 'summary'
    family = 'attachment'
    title = '別添'
    order = 20
    template = 'summary.html'
    stylesheet = 'summary.css'
    formats = ('screen', 'archive')
    pages = 1
    attachment_type = SummaryAttachment

    def describe(self, job):
        return f'{attachment_label(job.notice.notice, job.attachment)} summary sheet'

    def html(self, job, context):
        notice = job.notice.notice
        return context.renderer.html(self.template, notice=notice, attachment=job.attachment,
                                     label=attachment_label(notice, job.attachment))
