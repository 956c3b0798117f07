"""別紙 and 別添 typeset like the letter: a label at the top right, a title, paragraphs,
tables, notes and numbered items in the notice's style."""

from __future__ import annotations

from ..model.numbering import attachment_label, attachment_stem
from ..model.schema import TextAttachment
from ..plan.registry import DocumentKind, register
from .letter import numbered_pdf


@register
class Sheet(DocumentKind):
    name = 'sheet'
    family = 'attachment'
    title = '別紙・別添'
    order = 22
    template = 'sheet.html'
    stylesheet = 'letter.css'
    formats = ('screen', 'archive')
    attachment_type = TextAttachment

    def jobs(self, context):
        notice_set = context.notice_set
        notice = notice_set.notice
        for attachment, source in zip(notice_set.attachments, notice_set.attachment_sources):
            if isinstance(attachment, self.attachment_type):
                label = attachment_label(notice, attachment)
                yield context.make(self, f'{context.base}/{attachment_stem(attachment)}.pdf',
                                   (notice_set.source.path, source.path), attachment=attachment,
                                   enclosure=notice_set.enclosure(attachment),
                                   title=f'{label} {attachment.title}')

    def describe(self, job):
        return f'{attachment_label(job.notice.notice, job.attachment)} ({job.output})'

    def produce(self, job, context):
        notice = job.notice.notice
        return numbered_pdf(self, job, context, self.describe(job), notice=notice,
                            attachment=job.attachment,
                            label=attachment_label(notice, job.attachment))
