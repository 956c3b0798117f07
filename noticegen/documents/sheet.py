"""別紙 and 別添 typeset like the letter: a label at the top right, a title, paragraphs,
tables, notes and numbered items in the notice's style."""

from __future__ import annotations

from ..model.numbering import attachment_label
from ..model.schema import TextAttachment
from ..plan.registry import register
from .letter import numbered_pdf
from .per_attachment import PerAttachment


@register
class Sheet(PerAttachment):
    name = 'sheet'
    family = 'attachment'
    title = '別紙・別添'
    order = 22
    template = 'sheet.html'
    stylesheet = 'letter.css'
    formats = ('screen', 'archive')
    attachment_type = TextAttachment

    def describe(self, job):
        return f'{attachment_label(job.notice.notice, job.attachment)} ({job.output})'

    def produce(self, job, context):
        notice = job.notice.notice
        return numbered_pdf(self, job, context, self.describe(job), notice=notice,
                            attachment=job.attachment,
                            label=attachment_label(notice, job.attachment))
