"""The proof sheet: what a prefecture's leaflet prints, with sources, and what it withholds."""

from __future__ import annotations

from dataclasses import dataclass

from ..model.facts import Judge, Printing, national_verdicts, printing, reason_ja
from ..model.localize import month_text
from ..model.numbering import attachment_label
from ..model.schema import NationalData
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


def printed_rows(printed: Printing, national: NationalData, judge: Judge) -> list[Row]:
    """Every fact the leaflet prints, in the leaflet's order, with its source and date.

    Hours carry their own source and date (hours_source, hours_as_of) where they have one.
    """
    rows = []
    for item in printed.centers:
        center = item.center
        rows.append(Row('センター名', center.name, center.source, center.dated))
        for shown in item.phones:
            phone = shown.phone
            rows.append(Row('電話', phone.number, phone.source, phone.dated))
            if shown.hours:
                rows.append(Row('受付時間', f'{shown.hours}（{phone.number}）',
                                phone.hours_source or phone.source, phone.hours_dated))
        if item.hours:
            rows.append(Row('受付時間', item.hours, center.hours_source or center.source,
                            center.hours_dated))
        if item.url_display:
            rows.append(Row('URL（印刷）', item.url_display, center.source, center.dated))
        if item.url:
            rows.append(Row('QRコード' if item.url_display else 'URL・QR', item.url,
                            center.source, center.dated))
    rows.append(Row('全国共通', national.short_dial.number, national.short_dial.source,
                    national.short_dial.as_of))
    rows.append(Row('ひかり電話', national.hikari_denwa.number, national.hikari_denwa.source,
                    national.hikari_denwa.as_of))
    verdicts = national_verdicts(national, judge)
    for what, name in (('夜間休日', 'night_holiday_call_center'), ('SNS相談', 'sns')):
        if verdicts[name].printable:
            service = getattr(national, name)
            rows.append(Row(what, f'{service.name} {service.hours or ""}'.strip()
                            + f'（運営：{service.operator}）', service.source, service.as_of))
    return rows


def withheld_rows(printed: Printing, national: NationalData, judge: Judge) -> list[Row]:
    """Facts in the data that the leaflet does not print, and why."""
    rows = []
    for item in printed.withheld:
        verdict = item.verdict
        reason = ('センターが印刷されないため' if item.because_center else reason_ja(verdict))
        if item.note:
            reason += f'：{item.note}'
        rows.append(Row(item.what, item.value, reason=reason,
                        status='stale' if verdict.stale and verdict.status == 'confirmed'
                        else ('undated' if verdict.undated and verdict.status == 'confirmed'
                              else ('future' if verdict.future
                                    and verdict.status == 'confirmed' else verdict.status))))
    verdicts = national_verdicts(national, judge)
    for what, name in (('夜間休日', 'night_holiday_call_center'), ('SNS相談', 'sns')):
        verdict = verdicts[name]
        if not verdict.printable:
            service = getattr(national, name)
            rows.append(Row(what, service.name, reason=reason_ja(verdict),
                            status='stale' if verdict.stale else (
                                'future' if verdict.future else verdict.status)))
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
    sent_for_confirmation = True    # confirm export sends it with each prefecture's form
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
        judge = context.project.judge(job.as_of)
        printed = printing(prefecture, judge)
        return context.renderer.html(
            self.template, notice=notice, label=attachment_label(notice, job.attachment),
            prefecture=prefecture, source_path=job.prefecture.source.path,
            as_of_text=month_text(national.valid_as_of, 'ja', notice.style.digits),
            as_of_day=job.as_of.isoformat(),
            printed=printed_rows(printed, national, judge),
            withheld=withheld_rows(printed, national, judge))
