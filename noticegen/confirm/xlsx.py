"""XLSX bytes that are the same for the same workbook: fixed dates inside and on the zip.

openpyxl stamps ``docProps/core.xml`` with the time of saving and each zip entry with the
local time; both are fixed here to one given moment (the data's as-of date).
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime


def workbook_bytes(workbook, moment: datetime) -> bytes:
    """The workbook's bytes, dated ``moment`` in its properties and in every zip entry."""
    from openpyxl.writer.excel import ExcelWriter
    workbook.properties.created = moment
    workbook.properties.modified = moment
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, 'w', zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()   # save_workbook would stamp 'now'
    out = io.BytesIO()
    stamp = (max(moment.year, 1980), moment.month, moment.day, 0, 0, 0)
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, source.read(entry.filename))
    return out.getvalue()
