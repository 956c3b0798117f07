"""What is mailed to a prefecture: its 送付状, then the letter and every 別添.

With ``--duplex`` each document is padded to whole sheets first (a blank page after an odd
one), so that every document starts on the front of a sheet; the file is named
``packets/NN-name.duplex.pdf``.
"""

from __future__ import annotations

from dataclasses import replace

from ..assemble.duplex import pad_to_sheets
from ..plan.registry import DocumentKind, register
from .bundle import merge
from .cover import DUPLEX, Cover, duplex_suffix


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

    def cli_options(self):
        import click
        return [click.Option(
            ['--duplex'], is_flag=True, default=False,
            help='Packets for double-sided printing: each document padded with a blank page '
                 'to whole sheets, so that each starts on a new sheet (packets/NN-name.duplex.pdf, '
                 'covers/NN-name.duplex.pdf counting sheets).')]

    def jobs(self, context):
        if not context.declares(self):
            return
        covers = {job.code: job for job in context.jobs if job.kind == Cover.name}
        suffix = duplex_suffix(context)
        for prefecture in context.prefectures:
            cover = covers.get(prefecture.prefecture.code)
            if cover is not None:
                yield context.make(
                    self, f'{context.base}/packets/{context.stem(prefecture)}{suffix}.pdf',
                    prefecture=prefecture, parts=(cover.output, *cover.parts),
                    fingerprint=cover.fingerprint)

    def produce(self, job, context):
        if job.fingerprint == DUPLEX:
            # Pad each document first; the merge itself is the same for both.
            padded = pad_to_sheets([context.parts[part] for part in job.parts])
            context = replace(context, parts={**context.parts, **dict(zip(job.parts, padded))})
        return merge(job, context, '（送付資料一式）')
