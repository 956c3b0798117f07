"""Assemble PDFs: stamp an included PDF with its label, and merge documents into bundles."""

from __future__ import annotations

import io
from dataclasses import dataclass

from .errors import RenderError


@dataclass(frozen=True)
class Part:
    """One document of a bundle, with its bookmark title."""

    title: str
    pdf: bytes


def page_size(pdf: bytes) -> tuple[float, float]:
    """The width and height in points of the first page of ``pdf``."""
    import pypdf
    try:
        box = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    except (pypdf.errors.PyPdfError, IndexError, ValueError) as exception:
        raise RenderError(f'not a readable PDF: {exception}') from None
    return float(box.width), float(box.height)


def stamp(pdf: bytes, overlay: bytes) -> bytes:
    """Draw the first page of ``overlay`` over the first page of ``pdf``."""
    import pypdf
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    writer = pypdf.PdfWriter(clone_from=reader)
    writer.pages[0].merge_page(pypdf.PdfReader(io.BytesIO(overlay)).pages[0])
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def bundle(parts: list[Part], title: str, author: str, created: str) -> bytes:
    """Merge ``parts`` in order, one bookmark per document (tags are not kept)."""
    import pypdf
    writer = pypdf.PdfWriter()
    for part in parts:
        writer.append(pypdf.PdfReader(io.BytesIO(part.pdf)), outline_item=part.title,
                      import_outline=False)
    writer.add_metadata({'/Title': title, '/Author': author, '/Creator': 'noticegen',
                         '/CreationDate': created, '/ModDate': created})
    writer._root_object[pypdf.generic.NameObject('/Lang')] = pypdf.generic.TextStringObject('ja')
    writer.page_mode = '/UseOutlines'
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
