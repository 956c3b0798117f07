"""A prefecture's bundle: the letter and every 別添, merged, one bookmark per document."""

from __future__ import annotations

from ..assemble.pdf import Part, assemble
from ..plan import registry
from ..plan.registry import DocumentKind, register


def merge(job, context, suffix: str = '') -> bytes:
    """Merge ``job``'s parts with their titles as bookmarks; metadata from the notice."""
    notice = job.notice.notice
    name = job.prefecture.prefecture.name
    created = 'D:' + notice.date.strftime('%Y%m%d') + "000000+09'00"
    parts = [Part(context.jobs[part].title, context.parts[part],
                  foreign=registry.get(context.jobs[part].kind).keeps_foreign_fonts)
             for part in job.parts]
    return assemble(parts, f'{notice.title_text}（{name}）{suffix}',
                    '、'.join(notice.issuer_names), created)


@register
class Bundle(DocumentKind):
    name = 'bundle'
    title = '一式'
    order = 30
    phase = 'prefecture'
    previewed = False   # its pages repeat the documents it merges
    declared = True
    formats = ('screen', 'archive')
    outputs_help = "per prefecture, the letter and every attachment merged, for printing"

    def jobs(self, context):
        if not context.declares(self):
            return
        for prefecture in context.prefectures:
            parts = tuple(job.output for job in context.enclosures(prefecture))
            if parts:
                yield context.make(self, f'{context.base}/bundles/{context.stem(prefecture)}.pdf',
                                   prefecture=prefecture, parts=parts)

    def produce(self, job, context):
        return merge(job, context)
