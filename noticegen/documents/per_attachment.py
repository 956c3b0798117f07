"""The base of the kinds made once per attachment of one type (別紙, 別紙様式, summary
sheets, included PDFs): one shared job each, named by the attachment's number."""

from __future__ import annotations

from typing import ClassVar

from ..model.numbering import attachment_label, attachment_stem
from ..plan.registry import DocumentKind


class PerAttachment(DocumentKind):
    """One job for each of the notice's attachments that is an ``attachment_type``."""

    attachment_type: ClassVar[type]

    def attachment_file(self, context, attachment, source) -> str | None:
        """A file the attachment names, as a project path: an input of its job and its
        fingerprint (None: the attachment is all in its YAML)."""
        return None

    def jobs(self, context):
        notice_set = context.notice_set
        notice = notice_set.notice
        for attachment, source in zip(notice_set.attachments, notice_set.attachment_sources):
            if not isinstance(attachment, self.attachment_type):
                continue
            label = attachment_label(notice, attachment)
            file = self.attachment_file(context, attachment, source)
            yield context.make(self, f'{context.base}/{attachment_stem(attachment)}.pdf',
                               (notice_set.source.path, source.path, *([file] if file else [])),
                               attachment=attachment,
                               enclosure=notice_set.enclosure(attachment),
                               title=f'{label} {attachment.title}',
                               **({'fingerprint': file} if file else {}))
