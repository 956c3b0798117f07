"""The notice letter (公用文): the notice's own text, its 記 and items, its attachment list."""

from __future__ import annotations

from ..plan.registry import DocumentKind, register


def numbered_pdf(kind, job, context, name: str, **values) -> bytes:
    """Lay out ``kind``'s template with ``values``; number the pages only when there are
    more than one. No page budget: a block that does not fit moves to the next page, and
    content that is not laid out at all fails the document."""
    renderer = context.renderer

    def lay_out(numbered: bool):
        html = renderer.html(kind.template, numbered=numbered, **values)
        return renderer.render(html, list(job.stylesheets)), html

    document, html = lay_out(numbered=True)
    if len(document.pages) == 1:
        document, html = lay_out(numbered=False)
    renderer.check_budget(document, name, html=html)
    return renderer.write(document)


@register
class Letter(DocumentKind):
    name = 'notice'
    title = '通知・事務連絡'
    order = 10
    template = 'letter.html'
    stylesheet = 'letter.css'
    formats = ('screen', 'archive')

    def jobs(self, context):
        notice_set = context.notice_set
        notice = notice_set.notice
        yield context.make(self, f'{context.base}/notice.pdf',
                           tuple(source.path for source in notice_set.sources),
                           enclosure=0, title=f'{notice.heading} {notice.title_text}'.strip())

    def produce(self, job, context):
        """Number pages only when the letter runs past one page."""
        return numbered_pdf(self, job, context, f'letter {job.notice.notice.id}',
                            notice=job.notice.notice, attachments=job.notice.attachments)
