"""An existing PDF attached as it is, with 「別添N」 stamped at the top right of page 1."""

from __future__ import annotations

from pathlib import Path

from ..assemble.pdf import page_size, sanitize, stamp
from ..model.numbering import attachment_label, attachment_stem
from ..model.schema import PdfAttachment
from ..plan.registry import DocumentKind, register


@register
class Included(DocumentKind):
    name = 'included'
    family = 'attachment'
    title = '別添'
    order = 21
    template = 'label.html'       # the stamp, laid over the first page
    stylesheet = 'label.css'
    keeps_foreign_fonts = True
    formats = ('screen', 'archive')

    def jobs(self, context):
        notice_set = context.notice_set
        notice = notice_set.notice
        for attachment, source in zip(notice_set.attachments, notice_set.attachment_sources):
            if isinstance(attachment, PdfAttachment):
                label = attachment_label(notice, attachment)
                included = context.relative(
                    Path(context.project.root / source.path).parent / attachment.file)
                yield context.make(self, f'{context.base}/{attachment_stem(attachment)}.pdf',
                                   (notice_set.source.path, source.path, included),
                                   attachment=attachment,
                                   enclosure=notice_set.enclosure(attachment),
                                   title=f'{label} {attachment.title}', fingerprint=included)

    def describe(self, job):
        return f'{attachment_label(job.notice.notice, job.attachment)} label'

    def produce(self, job, context):
        original = (context.project.root / job.fingerprint).read_bytes()
        if context.format.admits_foreign:
            context.format.admits_foreign(original, job.fingerprint)
        pdf, removed = sanitize(original)
        for what in removed:
            context.warn(f'{job.fingerprint}: removed {what}')
        width, height = page_size(pdf)
        label = attachment_label(job.notice.notice, job.attachment)
        html = context.renderer.html(self.template, label=label, width=width, height=height)
        overlay = context.renderer.pdf(html, list(job.stylesheets), self.describe(job))
        return stamp(pdf, overlay)
