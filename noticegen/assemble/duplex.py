"""Duplex padding: documents' pages → the same documents, each on whole sheets.

A separate step before a merge: each document with an odd page count gets one blank page
(the size of its last page), so that in a duplex print the next document starts on the
front of a new sheet. The merge itself is untouched.
"""

from __future__ import annotations

import io


def pad_to_sheets(documents: list[bytes]) -> list[bytes]:
    """``documents`` with a blank page after each one whose page count is odd."""
    import pikepdf
    padded = []
    for pdf in documents:
        document = pikepdf.Pdf.open(io.BytesIO(pdf))
        if len(document.pages) % 2 == 0:
            padded.append(pdf)
            continue
        box = document.pages[-1].mediabox
        document.add_blank_page(page_size=(float(box[2]) - float(box[0]),
                                           float(box[3]) - float(box[1])))
        output = io.BytesIO()
        document.save(output, deterministic_id=True)
        padded.append(output.getvalue())
    return padded


def padded_pages(pages: int) -> int:
    """The page count of a document of ``pages`` pages once padded to whole sheets."""
    return pages + pages % 2
