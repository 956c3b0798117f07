"""An existing PDF attached as it is, with 「別添N」 stamped at the top right of page 1."""

from __future__ import annotations

from pathlib import Path

from ..assemble.pdf import page_size, sanitize, stamp
from ..model.numbering import attachment_label
from ..model.schema import PdfAttachment
from ..plan.registry import register
from .per_attachment import PerAttachment


@register
class Included(PerAttachment):
    name = 'included'
    family = 'attachment'
    title = '別添'
    order = 21
    template = 'label.html'       # the stamp, laid over the first page
    stylesheet = 'label.css'
    keeps_foreign_fonts = True
    formats = ('screen', 'archive')
    attachment_type = PdfAttachment

    def attachment_file(self, context, attachment, source):
        return context.relative(Path(context.project.root / source.path).parent / attachment.file)

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
