"""The notice letter (公用文): the notice's own text, its 記 and items, its attachment list."""

from __future__ import annotations

from ..plan.registry import DocumentKind, register


@register
class Letter(DocumentKind):
    name = 'notice'
    title = '事務連絡'
    order = 10
    template = 'letter.html'
    stylesheet = 'letter.css'

    def jobs(self, context):
        notice_set = context.notice_set
        notice = notice_set.notice
        yield context.make(self, f'{context.base}/notice.pdf',
                           tuple(source.path for source in notice_set.sources),
                           enclosure=0, title=f'{notice.heading} {notice.title_text}'.strip())

    def produce(self, job, context):
        """Number pages only when the letter runs past one page."""
        renderer = context.renderer

        def lay_out(numbered: bool):
            html = renderer.html(self.template, notice=job.notice.notice,
                                 attachments=job.notice.attachments, numbered=numbered)
            return renderer.render(html, list(job.stylesheets)), html

        document, html = lay_out(numbered=True)
        if len(document.pages) == 1:
            document, html = lay_out(numbered=False)
        renderer.check_budget(document, f'letter {job.notice.notice.id}', html=html)
        return renderer.write(document)
