"""Address labels: A4 sheets of 12 (86.4 × 42.3 mm), one per addressed department."""

from __future__ import annotations

from ..model.addressing import recipients
from ..plan.registry import DocumentKind, register

PER_SHEET = 12


@register
class Labels(DocumentKind):
    name = 'labels'
    title = '宛名ラベル'
    order = 60
    template = 'labels.html'
    stylesheet = 'labels.css'
    declared = True
    outputs_help = 'national mailing only: A4 sheets of address labels, one per department'

    def jobs(self, context):
        # The national mailing only: a sheet for a few prefectures is not a mailing.
        notice_set = context.notice_set
        if context.national and context.prefectures and context.declares(self):
            yield context.make(self, f'{context.base}/labels.pdf',
                               (notice_set.source.path,
                                *(data.source.path for data in context.prefectures),
                                *context.project.facts_paths), as_of=context.as_of)

    def _labels(self, job, context) -> list[dict]:
        notice = job.notice.notice
        judge = context.project.judge(job.as_of)
        return [{'recipient': recipient, 'ref': f'{prefecture.code}-{index}'}
                for prefecture in (data.prefecture for data in context.project.prefectures.values())
                for index, recipient in enumerate(recipients(notice, prefecture, judge), start=1)]

    def describe(self, job):
        return 'address labels'

    def produce(self, job, context):
        """Lay out every label; the budget is one sheet per twelve of them."""
        labels = self._labels(job, context)
        html = context.renderer.html(self.template, notice=job.notice.notice, labels=labels)
        return context.renderer.pdf(html, list(job.stylesheets), self.describe(job),
                                    -(-len(labels) // PER_SHEET))
