"""mailing-list.csv: one row per addressed department, with its packet, checksum and postage.

A piece is one envelope. With a flat envelope (角形2号, addressed by a label) each department
is a piece; with a window envelope (長形3号) the cover is the address, so a packet is one
piece and its departments' rows share it. The piece's estimate (sheets, weight, class, fee:
model.postage) is on its first row; the last row gives the totals.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass

from ..assemble.pdf import page_count
from ..model.addressing import Recipient, recipients
from ..model.postage import Estimate, envelope_name, estimate, sheets
from ..plan.registry import DocumentKind, register
from .cover import DUPLEX
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
    piece: str = ''
    envelope: str = ''
    estimate: Estimate | None = None   # on the first row of its piece only


MAILING_COLUMNS = ('code', 'prefecture', 'department', 'addressee', 'honorific', 'postal_code',
                   'address', 'packet', 'pages', 'sha256', 'status',
                   'piece', 'envelope', 'sheets', 'weight_g', 'class', 'postage_yen')
TOTAL = '合計'
UNKNOWN = 'unknown'


def _fee(yen: int | None) -> str:
    return UNKNOWN if yen is None else str(yen)


def mailing_csv(rows: list[MailingRow]) -> bytes:
    """The mailing list as CSV, UTF-8 with a BOM so that spreadsheet programs read Japanese.

    The last row totals the pieces: their number (piece), weight (g) and postage (yen, or
    unknown when a piece's fee is).
    """
    output = io.StringIO()
    writer = csv.writer(output, lineterminator='\r\n')
    writer.writerow(MAILING_COLUMNS)
    estimates = []
    for row in rows:
        recipient = row.recipient
        guess = row.estimate
        if guess is not None:
            estimates.append(guess)
        writer.writerow([row.code, row.prefecture, recipient.department or '', recipient.name,
                         recipient.honorific, recipient.postal_code or '', recipient.address or '',
                         row.packet, row.pages, row.sha256, row.status, row.piece, row.envelope,
                         *((guess.sheets, f'{guess.weight_g:.1f}', guess.mail_class or UNKNOWN,
                            _fee(guess.yen)) if guess else ('', '', '', ''))])
    pieces = len({row.piece for row in rows if row.piece})
    # The sum of the weights as listed (to 0.1 g), so that the list adds up.
    weight = f'{sum(round(guess.weight_g, 1) for guess in estimates):.1f}' if estimates else ''
    fees = [guess.yen for guess in estimates]
    postage = _fee(None if None in fees or not fees else sum(fees))
    writer.writerow(['', TOTAL, '', '', '', '', '', '', '', '', '', pieces, '', '', weight, '',
                     postage])
    return output.getvalue().encode('utf-8-sig')


def totals(data: bytes) -> dict[str, str]:
    """The totals row of a mailing list, and the number of rows without an address."""
    rows = list(csv.DictReader(io.StringIO(data.decode('utf-8-sig'))))
    total = rows[-1]
    return {'pieces': total['piece'], 'weight_g': total['weight_g'],
            'postage_yen': total['postage_yen'],
            'no_address': str(sum(1 for row in rows[:-1] if not row['address']))}


@register
class MailingList(DocumentKind):
    name = 'mailing-list'
    title = '送付先一覧'
    order = 90
    phase = 'final'                # after every packet, whatever became of it
    tolerates_failed_parts = True  # a failed packet is listed as failed
    declared = True
    outputs_help = ('national mailing only: one CSV row per department, with its packet, '
                    'and each piece\'s weight, class and postage')

    def notice_problems(self, notice_set, project):
        if Packet.name not in notice_set.notice.outputs:
            yield (), f'lists the packets: list {Packet.name} in outputs too'

    def jobs(self, context):
        # The national mailing only, like the labels.
        notice_set = context.notice_set
        packets = tuple(job.output for job in context.jobs if job.kind == Packet.name)
        postage = context.project.postage_source
        if context.national and packets and context.declares(self):
            yield context.make(self, f'{context.base}/mailing-list.csv',
                               (notice_set.source.path,
                                *(data.source.path for data in context.prefectures),
                                *context.project.facts_paths,
                                *((postage.path,) if postage else ())),
                               parts=packets, as_of=context.as_of)

    def produce(self, job, context):
        rows = []
        notice = job.notice.notice
        mailing = notice.mailing
        # A window envelope is addressed by its cover: one piece per packet.
        by_packet = mailing is not None and mailing.envelope.window is not None
        packets = {job_.output: job_ for job_ in context.jobs.values()
                   if job_.kind == Packet.name}
        for packet in job.parts:
            packet_job = packets[packet]
            prefecture = packet_job.prefecture.prefecture
            data = context.parts.get(packet)
            failed = data is None or packet in context.failed
            pages = page_count(data) if data else 0
            guess = None
            if mailing is not None and data:
                guess = estimate(sheets(pages, packet_job.fingerprint == DUPLEX), mailing,
                                 context.project.postage)
            for index, recipient in enumerate(recipients(notice, prefecture,
                                                         context.project.judge(job.as_of)),
                                              start=1):
                piece = prefecture.code if by_packet else f'{prefecture.code}-{index}'
                first = not by_packet or index == 1
                rows.append(MailingRow(
                    prefecture.code, prefecture.name, recipient, packet, pages,
                    hashlib.sha256(data).hexdigest() if data else '',
                    'failed' if failed else 'ok', piece,
                    envelope_name(mailing) if mailing else '', guess if first else None))
        return mailing_csv(rows)

    def summary(self, job, data: bytes) -> list[str]:
        found = totals(data)
        weight = (f'{float(found["weight_g"]) / 1000:.2f} kg' if found['weight_g']
                  else 'weight unknown (no mailing: envelope declared)')
        postage = ('postage unknown' if found['postage_yen'] == UNKNOWN
                   else f'postage {int(found["postage_yen"]):,} yen')
        lines = [f'mailing: {found["pieces"]} pieces, {weight}, {postage} ({job.output})']
        if found['no_address'] != '0':
            lines.append(f'mailing: {found["no_address"]} addressees have no confirmed 〒 and '
                         f'address: their covers and labels name the department only; write '
                         f'them on those envelopes by hand (rows without an address in '
                         f'{job.output})')
        return lines
