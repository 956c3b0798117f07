"""Document-information entries of a PDF that tools read and no viewer prints.

The cover for a window envelope records where the window falls on its page
(``/NoticegenWindow``), so that preview images can outline it: the PDF itself draws nothing.
"""

from __future__ import annotations

import io

WINDOW_KEY = '/NoticegenWindow'


def with_info(pdf: bytes, key: str, value: str) -> bytes:
    """``pdf`` with the document-information entry ``key`` set to ``value``."""
    import pikepdf
    document = pikepdf.Pdf.open(io.BytesIO(pdf))
    document.docinfo[key] = value
    output = io.BytesIO()
    document.save(output, deterministic_id=True)
    return output.getvalue()


def read_info(path, key: str) -> str | None:
    """The entry ``key`` of the PDF at ``path``, or None."""
    import pikepdf
    with pikepdf.Pdf.open(path) as document:
        value = document.docinfo.get(key)
        return str(value) if value is not None else None
