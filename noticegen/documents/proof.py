"""The proof sheet: what a prefecture's leaflet prints, with sources, and what it withholds."""

from __future__ import annotations

from dataclasses import dataclass

from ..model.localize import month_text
from ..model.numbering import attachment_label
from ..model.schema import NationalData, Prefecture
from ..plan.registry import DocumentKind, register
from .leaflet import leaflets


@dataclass(frozen=True)
class Row:
    what: str
    value: str
    source: str = ''
    as_of: str | None = None
    reason: str = ''
    status: str = ''


def printed_rows(prefecture: Prefecture, national: NationalData) -> list[Row]:
    """Every number and URL the leaflet prints, in the leaflet's order."""
    rows = []
    for center in prefecture.printable_centers:
        rows.append(Row('センター名', center.name, center.source, center.as_of))
        for phone in center.printable_phones:
            rows.append(Row('電話', phone.number, phone.source, phone.as_of))
            if phone.hours:  # hours_note says where, and when, the hours were true
                rows.append(Row('受付時間', f'{phone.hours}（{phone.number}）',
                                phone.hours_note or phone.source, phone.as_of))
        if center.hours:
            rows.append(Row('受付時間', center.hours, center.hours_note or center.source,
                            center.as_of))
        if center.url_display:
            rows.append(Row('URL（印刷）', center.url_display, center.source, center.as_of))
        if center.url:
            rows.append(Row('QRコード' if center.url_display else 'URL・QR', center.url,
                            center.source, center.as_of))
    rows.append(Row('全国共通', national.short_dial.number, national.short_dial.source,
                    national.short_dial.as_of))
    rows.append(Row('ひかり電話', national.hikari_denwa.number, national.hikari_denwa.source,
                    national.hikari_denwa.as_of))
    for what, service in (('夜間休日', national.night_holiday_call_center),
                          ('SNS相談', national.sns)):
        rows.append(Row(what, f'{service.name} {service.hours or ""}'.strip()
                        + f'（運営：{service.operator}）', service.source, service.as_of))
    return rows


def withheld_rows(prefecture: Prefecture) -> list[Row]:
    """Centers and numbers in the data that the leaflet does not print, and why."""
    rows = []
    for center in prefecture.centers:
        if center.status != 'confirmed':
            rows.append(Row('センター', center.name, reason=center.status_note or '',
                            status=center.status))
        for phone in center.phones:
            if center.status != 'confirmed' and phone.status == 'confirmed':
                rows.append(Row('電話', phone.number, reason='センターが未確定のため',
                                status=center.status))
            elif phone.status != 'confirmed':
                rows.append(Row('電話', phone.number, reason=phone.status_note or '',
                                status=phone.status))
    return rows


@register
class Proof(DocumentKind):
    """Written by the ``proof`` command, for sign-off; never part of a build."""

    name = 'proof'
    title = '確認用シート'
    order = 70
    phase = 'prefecture'
    template = 'proof.html'
    stylesheet = 'proof.css'
    pages = 1
    command = 'proof'
    command_help = """Write the one-page proof sheet of a prefecture's leaflet, for sign-off.

    It lists every number and URL the leaflet prints, each with its source and
    as_of date, and the numbers and centers withheld, with the reason. Written to
    OUT/<notice id>/proof/NN-name.pdf.

    \b
    Example:  python build.py proof --prefecture 13
    """

    def jobs(self, context):
        notice_set = context.notice_set
        for prefecture in context.prefectures:
            for attachment, source in leaflets(notice_set):
                yield context.make(
                    self, f'{context.base}/proof/{context.stem(prefecture)}.pdf',
                    (notice_set.source.path, source.path, *context.data_inputs(prefecture)),
                    attachment=attachment, prefecture=prefecture, as_of=context.as_of)

    def describe(self, job):
        prefecture = job.prefecture.prefecture
        return f'proof sheet for {prefecture.code} {prefecture.name}'

    def html(self, job, context):
        notice = job.notice.notice
        national = context.project.national
        prefecture = job.prefecture.prefecture
        return context.renderer.html(
            self.template, notice=notice, label=attachment_label(notice, job.attachment.number),
            prefecture=prefecture, source_path=job.prefecture.source.path,
            as_of_text=month_text(national.valid_as_of, 'ja', notice.style.digits),
            printed=printed_rows(prefecture, national), withheld=withheld_rows(prefecture))
