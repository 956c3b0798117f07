"""The proof sheet: what a prefecture's leaflet prints, with sources, and what it withholds."""

from __future__ import annotations

from dataclasses import dataclass

from .model import NationalData, Prefecture


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
        if not center.printable_phones and center.hours:
            rows.append(Row('受付時間', center.hours, center.source, center.as_of))
        if center.url_display:
            rows.append(Row('URL（印刷）', center.url_display, center.source, center.as_of))
        if center.url:
            rows.append(Row('QRコード' if center.url_display else 'URL・QR', center.url,
                            center.source, center.as_of))
    rows.append(Row('全国共通', national.short_dial.number, national.short_dial.source,
                    national.short_dial.as_of))
    rows.append(Row('ひかり電話', national.hikari_denwa.number, national.hikari_denwa.source,
                    national.hikari_denwa.as_of))
    rows.append(Row('SNS相談', f'{national.sns.name} {national.sns.hours or ""}'.strip(),
                    national.sns.source, national.sns.as_of))
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
