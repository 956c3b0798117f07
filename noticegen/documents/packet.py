"""What is mailed to a prefecture: its 送付状, then the letter and every 別添."""

from __future__ import annotations

from ..plan.registry import DocumentKind, register
from .bundle import merge
from .cover import Cover


@register
class Packet(DocumentKind):
    name = 'packet'
    title = '送付資料一式'
    order = 50
    phase = 'prefecture'
    previewed = False   # its pages repeat the documents it merges
    declared = True
    outputs_help = "per prefecture, what is mailed: the 送付状, then the letter and attachments"

    def notice_problems(self, notice_set, project):
        if Cover.name not in notice_set.notice.outputs:
            yield (), f'opens with a cover letter: list {Cover.name} in outputs too'

    def jobs(self, context):
        if not context.declares(self):
            return
        covers = {job.code: job for job in context.jobs if job.kind == Cover.name}
        for prefecture in context.prefectures:
            cover = covers.get(prefecture.prefecture.code)
            if cover is not None:
                yield context.make(self, f'{context.base}/packets/{context.stem(prefecture)}.pdf',
                                   prefecture=prefecture, parts=(cover.output, *cover.parts))

    def produce(self, job, context):
        return merge(job, context, '（送付資料一式）')
