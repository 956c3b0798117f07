"""Assemble PDFs with pikepdf (qpdf): stamp labels, assemble bundles and packets, count pages.

pikepdf rather than pypdf here because the build merges two files per prefecture: qpdf
merges five documents in about 8 ms where pypdf takes about 70 ms.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from ..errors import RenderError


@dataclass(frozen=True)
class Part:
    """One document of a bundle or packet, with its bookmark title.

    ``foreign``: an included original PDF, whose fonts are kept as they are.
    """

    title: str
    pdf: bytes
    foreign: bool = False


def unreadable(exception) -> str:
    """qpdf's reason a PDF cannot be read, without the name of the in-memory stream it
    was read from ('stream <_io.BytesIO object at 0x…>: '): the message is the same in
    every run."""
    return re.sub(r'^(stream )?<[^<>]*>:\s*', '', str(exception))


def _open(pdf: bytes):
    import pikepdf
    try:
        return pikepdf.Pdf.open(io.BytesIO(pdf))
    except pikepdf.PasswordError:
        raise RenderError('the PDF is encrypted with a password: attach an unencrypted '
                          'copy') from None
    except pikepdf.PdfError as exception:
        raise RenderError(f'not a readable PDF: {unreadable(exception)}') from None


def _save(document, version: str = '', compact: bool = False) -> bytes:
    """``document``'s bytes; ``compact``: dictionaries packed in object streams."""
    import pikepdf
    output = io.BytesIO()
    # The /ID comes from the content, so that the same inputs give the same bytes.
    document.save(output, deterministic_id=True, min_version=version,
                  stream_decode_level=pikepdf.StreamDecodeLevel.none,
                  object_stream_mode=(pikepdf.ObjectStreamMode.generate if compact
                                      else pikepdf.ObjectStreamMode.preserve))
    return output.getvalue()


def page_count(pdf: bytes) -> int:
    return len(_open(pdf).pages)


def page_size(pdf: bytes) -> tuple[float, float]:
    """The width and height in points of the first page of ``pdf``."""
    document = _open(pdf)
    if not document.pages:
        raise RenderError('the PDF has no pages')
    box = document.pages[0].mediabox
    return float(box[2]) - float(box[0]), float(box[3]) - float(box[1])


def stamp(pdf: bytes, overlay: bytes) -> bytes:
    """Draw the first page of ``overlay`` over the first page of ``pdf``."""
    import pikepdf
    document = _open(pdf)
    label = _open(overlay)
    document.pages[0].add_overlay(label.pages[0], pikepdf.Rectangle(*document.pages[0].mediabox))
    return _save(document)


def assemble(parts: list[Part], title: str, author: str, created: str,
             lang: str = 'ja') -> bytes:
    """One PDF of ``parts``, in order, written once.

    - pages: each document's pages, as they are (content, annotations, images);
    - fonts: one program per face, the subsets of the documents united
      (``subsets.unite_fonts``); an included original keeps its own fonts;
    - tags: every document's structure tree under one /Document element, one /Part each
      (``structure.StructureMerger``);
    - bookmarks: one per document, in order, with the document's own nested below it;
    - metadata: /Title ``title``, /Author, dates ``created`` (a PDF date), /Lang ``lang``.

    This is the one place that turns a list of documents into a bundle or a packet: a
    step that changes the list (blank pages for duplex, say) runs before it.
    """
    import pikepdf

    from .structure import StructureMerger, outline_items
    from .subsets import unite_fonts

    document = pikepdf.Pdf.new()
    merger = StructureMerger(document, lang)
    sources = []
    foreign: set[int] = set()
    items = []
    version = '1.7'
    for part in parts:
        source = _open(part.pdf)
        sources.append(source)  # kept open until the merged file is saved
        start = len(document.pages)
        document.pages.extend(source.pages)
        count = len(source.pages)
        if part.foreign:
            foreign.update(range(start, start + count))
        merger.add(source, start, count, part.title)
        item = pikepdf.OutlineItem(part.title, start)
        item.children.extend(outline_items(document, source, start))
        items.append(item)
        version = max(version, source.pdf_version)
    merger.finish()
    unite_fonts(document, foreign)
    with document.open_outline() as outline:
        outline.root.extend(items)
    document.docinfo['/Title'] = title
    document.docinfo['/Author'] = author
    document.docinfo['/Creator'] = 'noticegen'
    document.docinfo['/Producer'] = 'noticegen (WeasyPrint, pikepdf)'
    document.docinfo['/CreationDate'] = created
    document.docinfo['/ModDate'] = created
    document.Root.Lang = pikepdf.String(lang)
    document.Root.PageMode = pikepdf.Name.UseOutlines
    document.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
    return _save(document, version, compact=True)


def sanitize(pdf: bytes) -> tuple[bytes, list[str]]:
    """``pdf`` without scripts, automatic actions or embedded files; and what was removed.

    An included original is printed and mailed: nothing in it should run or hide a file.
    """
    import pikepdf
    document = _open(pdf)
    removed: list[str] = []
    root = document.Root
    for key, what in (('/OpenAction', 'an action run on opening (OpenAction)'),
                      ('/AA', 'automatic actions (AA)')):
        if key in root:
            del root[key]
            removed.append(what)
    names = root.get('/Names')
    if names is not None:
        for key, what in (('/JavaScript', 'JavaScript'), ('/EmbeddedFiles', 'embedded files')):
            if key in names:
                del names[key]
                removed.append(what)
    for number, page in enumerate(document.pages, start=1):
        if '/AA' in page.obj:
            del page.obj['/AA']
            removed.append(f'automatic actions (AA) of page {number}')
        for annotation in page.obj.get('/Annots') or []:
            action = annotation.get('/A')
            if action is not None and action.get('/S') in (pikepdf.Name.JavaScript,
                                                           pikepdf.Name.Launch):
                del annotation['/A']
                removed.append(f'a script or launch action on page {number}')
            if annotation.get('/Subtype') == pikepdf.Name.FileAttachment:
                removed.append(f'an attached file on page {number}')
                annotation['/Subtype'] = pikepdf.Name.Text
                for key in ('/FS',):
                    if key in annotation:
                        del annotation[key]
    if not removed:
        return pdf, []
    return _save(document), removed


@dataclass(frozen=True)
class Placed:
    """A page of the source, placed on a sheet: the lower left corner of its TrimBox (pt),
    turned 180° or not; ``clip``, the part of the sheet it may paint (x0, y0, x1, y1; the
    default is its trim, placed); ``tagged``: whether this copy's marked content is the
    sheet's structure (each tagged page of the source once), or an artifact (a copy)."""

    page: int
    x: float
    y: float
    turned: bool = False
    clip: tuple[float, float, float, float] | None = None
    tagged: bool = False


def _trim(page) -> list[float]:
    return [float(v) for v in page.obj.get('/TrimBox', page.mediabox)]


def _merged_resources(source, document, pages) -> object:
    """One resource dictionary for ``pages`` (of one source): WeasyPrint gives every page
    the same one; a name that means two things on two pages cannot be drawn on one."""
    import pikepdf
    merged = pikepdf.Dictionary()
    for page in pages:
        resources = page.obj.get('/Resources') or pikepdf.Dictionary()
        for category, names in resources.items():
            if not isinstance(names, pikepdf.Dictionary):
                merged[category] = names   # /ProcSet
                continue
            target = merged.get(category)
            if target is None:
                merged[category] = target = pikepdf.Dictionary()
            for name, value in names.items():
                known = target.get(name)
                if known is not None and known.objgen != value.objgen:
                    raise RenderError(f'cannot impose: the pages use {category}{name} for '
                                      f'different objects')
                target[name] = value
    return document.copy_foreign(source.make_indirect(merged))


def _placed_content(page, item: Placed, offset: int, skip) -> tuple[list, int]:
    """The instructions drawing ``page`` as ``item``: clipped, moved, its MCIDs shifted by
    ``offset`` (or, for an untagged copy, its marked content made an artifact); and the
    number of MCIDs it uses."""
    import pikepdf
    trim = _trim(page)
    width, height = trim[2] - trim[0], trim[3] - trim[1]
    clip = item.clip or (item.x, item.y, item.x + width, item.y + height)
    if item.turned:
        matrix = [-1, 0, 0, -1, item.x + width + trim[0], item.y + height + trim[1]]
    else:
        matrix = [1, 0, 0, 1, item.x - trim[0], item.y - trim[1]]
    ops = [([], 'q'), ([clip[0], clip[1], clip[2] - clip[0], clip[3] - clip[1]], 're'),
           ([], 'W'), ([], 'n'), (matrix, 'cm')]
    instructions = [pikepdf.ContentStreamInstruction(operands, pikepdf.Operator(op))
                    for operands, op in ops]
    contents = page.obj.get('/Contents')
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    used = 0
    for stream in streams:
        if stream is None or skip(page, stream):
            continue
        for instruction in pikepdf.parse_content_stream(stream):
            operands, operator = instruction.operands, instruction.operator
            if str(operator) == 'BDC' and len(operands) > 1 and isinstance(
                    operands[1], pikepdf.Dictionary) and '/MCID' in operands[1]:
                mcid = int(operands[1].MCID)
                used = max(used, mcid + 1)
                if item.tagged:
                    properties = pikepdf.Dictionary(
                        {key: value for key, value in operands[1].items()})
                    properties.MCID = mcid + offset
                    instruction = pikepdf.ContentStreamInstruction(
                        [operands[0], properties], operator)
                else:
                    instruction = pikepdf.ContentStreamInstruction(
                        [pikepdf.Name.Artifact], pikepdf.Operator('BMC'))
            instructions.append(instruction)
    instructions.append(pikepdf.ContentStreamInstruction([], pikepdf.Operator('Q')))
    return instructions, used


def _is_mcid(kid) -> bool:
    return isinstance(kid, int) and not isinstance(kid, bool)


def _copy_structure(document, source, targets: dict, parents: dict) -> None:
    """``source``'s structure tree as ``document``'s. Each element on source page i moves to
    the sheet page ``targets[i][0]``, its MCIDs shifted by ``targets[i][1]``; ``parents[i]``
    (the source page's parent-tree array) fills the sheet page's array from that offset.
    Object references (annotations) are left out: a sheet has none."""
    import pikepdf
    from .structure import _number_tree
    root = source.Root.StructTreeRoot
    index = {page.objgen: number for number, page in enumerate(source.pages)}
    by_key: dict[int, list] = {}
    found: list = []
    _number_tree(root.get('/ParentTree') or pikepdf.Dictionary(), found)
    pages_by_key = {int(page.obj.StructParents): number
                    for number, page in enumerate(source.pages) if '/StructParents' in page.obj}
    for key, value in found:
        if key in pages_by_key and isinstance(value, pikepdf.Array):
            by_key[pages_by_key[key]] = list(value)
    markers: dict[int, object] = {}

    def marker(page) -> object:
        number = index.get(page.objgen) if isinstance(page, pikepdf.Dictionary) else None
        if number is None or number not in targets:
            raise RenderError('cannot impose: a tagged page of the source is not placed '
                              'tagged on the sheet')
        if number not in markers:
            markers[number] = source.make_indirect(pikepdf.Dictionary(NoticegenPage=number))
        return markers[number]

    # In the source (opened for this), each /Pg becomes a marker, so that copying the tree
    # does not copy the source's pages; on the sheet, each marker becomes the sheet page.
    seen, pending = set(), [root.get('/K')]
    while pending:
        node = pending.pop()
        if isinstance(node, pikepdf.Array):
            for position in reversed(range(len(node))):
                kid = node[position]
                if isinstance(kid, pikepdf.Dictionary) and kid.get('/Type') == pikepdf.Name.OBJR:
                    del node[position]
            pending += list(node)
        elif isinstance(node, pikepdf.Dictionary) and node.objgen not in seen:
            if node.objgen != (0, 0):
                seen.add(node.objgen)
            if '/Pg' in node:
                node.Pg = marker(node.Pg)
            if node.get('/K') is not None:
                pending.append(node.K)
    for key in ('/ParentTree', '/ParentTreeNextKey', '/IDTree'):
        if key in root:
            del root[key]
    copied = document.copy_foreign(root)
    seen, pending = set(), [(copied.get('/K'), None)]
    while pending:
        node, target = pending.pop()
        if isinstance(node, pikepdf.Array):
            for position, kid in enumerate(node):
                if _is_mcid(kid) and target is not None:
                    node[position] = kid + target[1]
                else:
                    pending.append((kid, target))
        elif isinstance(node, pikepdf.Dictionary) and node.objgen not in seen:
            if node.objgen != (0, 0):
                seen.add(node.objgen)
            if '/Pg' in node:
                target = targets[int(node.Pg.NoticegenPage)]
                node.Pg = target[0]
            if node.get('/Type') == pikepdf.Name.MCR:
                node.MCID = int(node.MCID) + target[1]
                continue
            kids = node.get('/K')
            if _is_mcid(kids) and target is not None:
                node.K = kids + target[1]
            elif kids is not None:
                pending.append((kids, target))
    for number, elements in by_key.items():
        page_parents, offset = parents[number], targets[number][1]
        for mcid, element in enumerate(elements):
            if offset + mcid < len(page_parents) and isinstance(element, pikepdf.Dictionary):
                page_parents[offset + mcid] = document.copy_foreign(element)
    document.Root.StructTreeRoot = copied
    document.Root.MarkInfo = pikepdf.Dictionary(Marked=True)


def impose(pdf: bytes, size: tuple[float, float], sheets: list[list[Placed]],
           marks: list[bytes], title: str, skip=lambda page, stream: False) -> bytes:
    """Sheets of ``size`` (pt), each with pages of ``pdf`` placed on it and the content
    ``marks[n]`` (crop and fold marks, drawn as an artifact) drawn over sheet n.

    The pages are drawn in the sheet's own content, not as forms, so that their tags stay
    tags: each page placed ``tagged`` keeps its structure elements (the source's tree, on
    the sheet page), the other copies are artifacts. MediaBox = TrimBox = BleedBox = the
    sheet: each card carries its own trim and marks. The source's /Lang, output intents
    and XMP are the sheet's (a print card's PDF/X-4 identification); its title is
    ``title``, shown in the window. ``skip(page, stream)``: a content stream of a page
    left out (a single page's own crop marks)."""
    import pikepdf
    source = _open(pdf)
    document = pikepdf.Pdf.new()
    resources = _merged_resources(source, document, source.pages)
    targets: dict[int, tuple] = {}      # source page → (sheet page, MCID offset)
    parents: dict[int, object] = {}     # source page → its sheet page's parent array
    nums = pikepdf.Array()
    for number, (placed, drawn) in enumerate(zip(sheets, marks)):
        box = pikepdf.Array([0, 0, size[0], size[1]])
        page = document.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Page, MediaBox=box, TrimBox=box, BleedBox=box,
            Resources=resources, StructParents=number))
        instructions, array = [], pikepdf.Array()
        for item in placed:
            drawn_part, used = _placed_content(source.pages[item.page], item, len(array), skip)
            instructions += drawn_part
            if item.tagged:
                if item.page in targets:
                    raise RenderError(f'cannot impose: page {item.page + 1} is tagged twice')
                targets[item.page] = (page, len(array))
                array.extend([None] * used)
        content = pikepdf.unparse_content_stream(instructions) + b'\n' + drawn
        page.Contents = document.make_stream(content)
        document.pages.append(pikepdf.Page(page))
        array = document.make_indirect(array)
        for index, (target_page, _) in targets.items():
            if target_page.objgen == page.objgen:
                parents[index] = array
        nums.append(number)
        nums.append(array)
    if '/StructTreeRoot' in source.Root:
        _copy_structure(document, source, targets, parents)
        document.Root.StructTreeRoot.ParentTree = document.make_indirect(
            pikepdf.Dictionary(Nums=nums))
        document.Root.StructTreeRoot.ParentTreeNextKey = len(sheets)
    else:
        for page in document.pages:
            del page.obj['/StructParents']
    if '/Lang' in source.Root:
        document.Root.Lang = pikepdf.String(str(source.Root.Lang))
    if '/OutputIntents' in source.Root:
        intents = source.Root.OutputIntents
        document.Root.OutputIntents = document.copy_foreign(
            intents if intents.is_indirect else source.make_indirect(intents))
    if '/Metadata' in source.Root:
        document.Root.Metadata = document.copy_foreign(source.Root.Metadata)
        with document.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta['dc:title'] = title
    # the document info agrees with the XMP kept from the source
    for key in ('/Trapped', '/CreationDate', '/ModDate', '/Producer', '/Creator'):
        if key in source.docinfo:
            document.docinfo[key] = source.docinfo[key]
    document.docinfo['/Title'] = title
    if '/Creator' not in document.docinfo:
        document.docinfo['/Creator'] = 'noticegen'
    document.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
    return _save(document, source.pdf_version)
