"""mailing-list.csv: one row per addressed department, with its packet and checksum."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass

from ..assemble.pdf import page_count
from ..model.addressing import Recipient, recipients
from ..plan.registry import DocumentKind, register
from .packet import Packet


@dataclass(frozen=True)
class MailingRow:
    code: str
    prefecture: str
    recipient: Recipient
    packet: str
    pages: int
    sha256: str
    status: str


MAILING_COLUMNS = ('code', 'prefecture', 'department', 'addressee', 'honorific', 'postal_code',
                   'address', 'packet', 'pages', 'sha256', 'status')


def mailing_csv(rows: list[MailingRow]) -> bytes:
    """The mailing list as CSV, UTF-8 with a BOM so that spreadsheet programs read Japanese."""
    output = io.StringIO()
    writer = csv.writer(output, lineterminator='\r\n')
    writer.writerow(MAILING_COLUMNS)
    for row in rows:
        recipient = row.recipient
        writer.writerow([row.code, row.prefecture, recipient.department or '', recipient.name,
                         recipient.honorific, recipient.postal_code or '', recipient.address or '',
                         row.packet, row.pages, row.sha256, row.status])
    return output.getvalue().encode('utf-8-sig')


@register
class MailingList(DocumentKind):
    name = 'mailing-list'
    title = '送付先一覧'
    order = 90
    phase = 'final'                # after every packet, whatever became of it
    tolerates_failed_parts = True  # a failed packet is listed as failed
    declared = True
    outputs_help = 'national mailing only: one CSV row per department, with its packet'

    def notice_problems(self, notice_set, project):
        if Packet.name not in notice_set.notice.outputs:
            yield (), f'lists the packets: list {Packet.name} in outputs too'

    def jobs(self, context):
        # The national mailing only, like the labels.
        notice_set = context.notice_set
        packets = tuple(job.output for job in context.jobs if job.kind == Packet.name)
        if context.national and packets and context.declares(self):
            yield context.make(self, f'{context.base}/mailing-list.csv',
                               (notice_set.source.path,
                                *(data.source.path for data in context.prefectures),
                                *context.project.facts_paths),
                               parts=packets, as_of=context.as_of)

    def produce(self, job, context):
        rows = []
        packets = {job_.output: job_ for job_ in context.jobs.values()
                   if job_.kind == Packet.name}
        for packet in job.parts:
            prefecture = packets[packet].prefecture.prefecture
            data = context.parts.get(packet)
            failed = data is None or packet in context.failed
            for recipient in recipients(job.notice.notice, prefecture,
                                        context.project.judge(job.as_of)):
                rows.append(MailingRow(
                    prefecture.code, prefecture.name, recipient, packet,
                    page_count(data) if data else 0,
                    hashlib.sha256(data).hexdigest() if data else '',
                    'failed' if failed else 'ok'))
        return mailing_csv(rows)
