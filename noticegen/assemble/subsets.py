"""One font program per face in a merged PDF: unite the subsets of each face, retag the rest.

WeasyPrint embeds a subset of each face in each document, with its glyph ids retained
(HarfBuzz's RETAIN_GIDS) and /CIDToGIDMap /Identity, so that glyph id N of every subset of
one face is glyph N of the original font, up to the highest glyph the document draws (past
it, what HarfBuzz adds in WeasyPrint's second pass is renumbered: see ``_unite``). Subsets of
one face are therefore compatible: their union (for each glyph id, the outline of a subset
that draws up to it) draws every document, and every font dictionary of the face can point
at that one program.

The union works on the raw TrueType tables (glyf, loca, hmtx, vmtx, and the maxima in maxp,
head and hhea) so that it takes milliseconds; the other tables come from the largest subset.
Only TrueType subsets (/FontFile2) that agree on the original font (head's creation date,
revision and units per em, and the family name) are united. CFF (/FontFile3) subsets,
and the fonts of included original PDFs, are kept as they are.

The PDF standard requires a distinct tag for each distinct subset (ISO 32000-1, 9.6.4). A
united program gets a tag made from its bytes; and so does any other program whose tag
another, different program in the same file already uses (two included PDFs made by the
same tool, say).
"""

from __future__ import annotations

import hashlib
import itertools
import io
import struct
import zlib
from array import array
from dataclasses import dataclass, field

TAG_LENGTH = 6


def subset_tag(data: bytes) -> str:
    """Six capital letters from ``data``'s digest: the same program always gets the same tag."""
    digest = hashlib.sha256(data).digest()
    return ''.join(chr(65 + byte % 26) for byte in digest[:TAG_LENGTH])


def split_name(name: str) -> tuple[str, str]:
    """('ABCDEF', 'Face') for a subset's name 'ABCDEF+Face'; ('', name) for a full font."""
    prefix, plus, base = name.partition('+')
    if plus and len(prefix) == TAG_LENGTH and prefix.isalpha() and prefix.isupper():
        return prefix, base
    return '', name


# -- TrueType tables ------------------------------------------------------------------

def _tables(data: bytes) -> dict[str, bytes]:
    """The raw tables of a TrueType font."""
    from fontTools.ttLib.sfnt import SFNTReader
    reader = SFNTReader(io.BytesIO(data))
    return {str(tag): reader[tag] for tag in reader.keys()}


_BIG_ENDIAN = array('H', [1]).tobytes() == b'\x00\x01'


def _u16(data: bytes) -> array:
    values = array('H')
    values.frombytes(data[:len(data) - len(data) % 2])
    if not _BIG_ENDIAN:
        values.byteswap()
    return values


def _u32(data: bytes) -> array:
    values = array('I')
    values.frombytes(data[:len(data) - len(data) % 4])
    if not _BIG_ENDIAN:
        values.byteswap()
    return values


def _bytes(values: array) -> bytes:
    if not _BIG_ENDIAN:
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


@dataclass
class _Face:
    tables: dict[str, bytes]
    count: int
    offsets: array                  # loca, in bytes (count + 1 entries)
    metrics: dict[str, tuple[array, array]] = field(default_factory=dict)  # advance, bearing
    present: frozenset = frozenset()   # the glyph ids with an outline

    def outline(self, gid: int) -> bytes:
        return self.tables['glyf'][self.offsets[gid]:self.offsets[gid + 1]]


def _face(data: bytes) -> _Face:
    tables = _tables(data)
    count = struct.unpack_from('>H', tables['maxp'], 4)[0]
    if struct.unpack_from('>h', tables['head'], 50)[0] == 1:
        offsets = _u32(tables['loca'][:(count + 1) * 4])
    else:
        offsets = array('I', (2 * offset for offset in _u16(tables['loca'][:(count + 1) * 2])))
    face = _Face(tables, count, offsets, present=frozenset(
        gid for gid, (start, end) in enumerate(zip(offsets, offsets[1:count + 1])) if end > start))
    for metrics, header in (('hmtx', 'hhea'), ('vmtx', 'vhea')):
        if metrics in tables and header in tables:
            longs = min(struct.unpack_from('>H', tables[header], 34)[0], count)
            table = tables[metrics]
            pairs = _u16(table[:4 * longs])
            advances, bearings = pairs[0::2], pairs[1::2]
            # The glyphs after the last long metric repeat its advance.
            rest = count - longs
            bearings.extend(_u16(table[4 * longs:4 * longs + 2 * rest]))
            advances.extend(array('H', [advances[-1] if advances else 0]) * rest)
            face.metrics[metrics] = advances, bearings
    return face


_FACES: dict[bytes, _Face] = {}   # the faces read in this process, by digest (bounded)


def _cached_face(data: bytes, key: bytes | None = None) -> _Face:
    """``data`` read once per process: the shared documents' subsets recur in every packet.

    ``key``: a digest of the program as stored (so that a known one is not decompressed).
    """
    key = key or hashlib.sha1(data).digest()
    face = _FACES.get(key)
    if face is None:
        if len(_FACES) >= 256:
            _FACES.clear()
        face = _FACES[key] = _face(data)
    return face


def identity(face: _Face) -> tuple:
    """What subsets of one original font share."""
    head = face.tables['head']
    # fontRevision, created and modified, unitsPerEm
    return head[4:8], head[20:36], head[18:20]


def unite(programs: list[bytes], limits: list[int]) -> bytes | None:
    """One TrueType program drawing every glyph of ``programs`` (subsets of one face), or
    None when they cannot be united. ``limits``: the highest glyph id each one's text uses."""
    return _unite([_cached_face(data) for data in programs], limits)


_ARGS_ARE_WORDS, _SCALE, _MORE, _XY_SCALE, _TWO_BY_TWO = 0x1, 0x8, 0x20, 0x40, 0x80


def _components(outline: bytes) -> list[int]:
    """The glyph ids a composite glyph is made of ([] for a simple glyph)."""
    if len(outline) < 10 or struct.unpack_from('>h', outline, 0)[0] >= 0:
        return []
    found, offset = [], 10
    while offset + 4 <= len(outline):
        flags, gid = struct.unpack_from('>HH', outline, offset)
        found.append(gid)
        offset += 4 + (4 if flags & _ARGS_ARE_WORDS else 2)
        offset += 2 if flags & _SCALE else 4 if flags & _XY_SCALE else 8 if flags & \
            _TWO_BY_TWO else 0
        if not flags & _MORE:
            break
    return found


def _unite(faces: list[_Face], limits: list[int]) -> bytes | None:
    """The union of ``faces`` up to each one's limit, or None if it cannot be made.

    WeasyPrint subsets twice: first keeping the original glyph ids, then keeping the glyph
    ids 0 to the highest one its text uses. What HarfBuzz adds in the second pass (the
    glyphs a substitution or a composite needs) is renumbered after that limit, so above
    its limit a subset's glyph ids are its own. Only glyphs up to each subset's limit are
    taken; if a composite glyph up to the limit is made of a renumbered one, the face is
    not united.
    """
    chosen: dict[int, _Face] = {}
    for face, limit in zip(faces, limits):
        trusted = {gid for gid in face.present if gid <= limit}
        for gid in trusted:
            if any(part > limit for part in _components(face.outline(gid))):
                return None
        for gid in trusted.difference(chosen):
            chosen[gid] = face
    count = max(limits) + 1
    base = max(faces, key=lambda face: face.count)
    if base.count < count:
        return None
    tables = dict(base.tables)
    lengths = array('I', bytes(4 * count))
    chunks = []
    tables['maxp'] = tables['maxp'][:4] + struct.pack('>H', count) + tables['maxp'][6:]
    metrics = {name: (array('H', advances[:count]), array('H', bearings[:count]))
               for name, (advances, bearings) in base.metrics.items()}
    for gid in sorted(chosen):
        face = chosen[gid]
        outline = face.outline(gid)
        outline += b'\0' * (-len(outline) % 4)
        lengths[gid] = len(outline)
        chunks.append(outline)
        if face is not base:
            for name, (advances, bearings) in metrics.items():
                if name in face.metrics:
                    advances[gid] = face.metrics[name][0][gid]
                    bearings[gid] = face.metrics[name][1][gid]
    glyf = b''.join(chunks)
    loca = array('I', [0])
    loca.extend(itertools.accumulate(lengths))
    tables['glyf'], tables['loca'] = bytes(glyf), _bytes(loca)
    if 'post' in tables and len(tables['post']) >= 32:
        # version 3.0: no glyph names (a PDF never reads them; format 2 counts glyphs)
        tables['post'] = struct.pack('>I', 0x00030000) + tables['post'][4:32]
    head = bytearray(tables['head'])
    struct.pack_into('>h', head, 50, 1)   # indexToLocFormat: long offsets
    boxes = [struct.unpack_from('>4h', face.tables['head'], 36) for face in faces]
    struct.pack_into('>4h', head, 36, min(b[0] for b in boxes), min(b[1] for b in boxes),
                     max(b[2] for b in boxes), max(b[3] for b in boxes))
    tables['head'] = bytes(head)
    # maxp 1.0: the maxima of every subset's counts after numGlyphs
    maxp = bytearray(tables['maxp'])
    if len(maxp) >= 32:
        values = [struct.unpack_from('>13H', face.tables['maxp'], 6) for face in faces
                  if len(face.tables['maxp']) >= 32]
        struct.pack_into('>13H', maxp, 6, *(max(column) for column in zip(*values)))
    tables['maxp'] = bytes(maxp)
    for name, header in (('hmtx', 'hhea'), ('vmtx', 'vhea')):
        if name in metrics:
            advances, bearings = metrics[name]
            pairs = array('H', bytes(4 * count))
            pairs[0::2], pairs[1::2] = advances, bearings
            tables[name] = _bytes(pairs)
            table = bytearray(tables[header])
            struct.pack_into('>H', table, 34, count)   # every metric is a long one
            struct.pack_into('>H', table, 10, max(advances, default=0))
            tables[header] = bytes(table)
    return _sfnt(tables)


def _checksum(data: bytes) -> int:
    return sum(_u32(data + b'\0' * (-len(data) % 4))) & 0xFFFFFFFF


def _sfnt(tables: dict[str, bytes]) -> bytes:
    """A TrueType font file of ``tables`` (directory sorted by tag, checksums, head's
    checkSumAdjustment), as fontTools' SFNTWriter writes it, with the sums done by array."""
    from fontTools.ttLib import getSearchRange

    tags = sorted(tables)
    head = bytearray(tables['head'])
    head[8:12] = bytes(4)
    tables = {**tables, 'head': bytes(head)}
    search_range, entry_selector, range_shift = getSearchRange(len(tags), 16)
    offset = 12 + 16 * len(tags)
    directory = [struct.pack('>4sHHHH', b'\x00\x01\x00\x00', len(tags), search_range,
                             entry_selector, range_shift)]
    body = []
    total = 0
    for tag in tags:
        data = tables[tag]
        checksum = _checksum(data)
        total += checksum
        directory.append(struct.pack('>4sIII', tag.encode('latin-1'), checksum, offset,
                                     len(data)))
        body.append(data + b'\0' * (-len(data) % 4))
        offset += len(body[-1])
    header = b''.join(directory)
    # The whole file's sum is the directory's plus each (padded) table's.
    adjustment = (0xB1B0AFBA - _checksum(header) - total) & 0xFFFFFFFF
    font = bytearray(header + b''.join(body))
    start = len(header) + sum(len(chunk) for chunk in body[:tags.index('head')])
    struct.pack_into('>I', font, start + 8, adjustment)
    return bytes(font)


# -- the PDF ----------------------------------------------------------------------------

def _fonts(resources, found: dict, seen: set) -> None:
    """Every font dictionary reachable from ``resources`` (forms included), by objgen."""
    import pikepdf
    if not isinstance(resources, pikepdf.Dictionary):
        return
    for font in (resources.get('/Font') or {}).values():
        found.setdefault(font.objgen if font.is_indirect else id(font), font)
    for xobject in (resources.get('/XObject') or {}).values():
        key = xobject.objgen
        if key in seen or xobject.get('/Subtype') != pikepdf.Name.Form:
            continue
        seen.add(key)
        _fonts(xobject.get('/Resources'), found, seen)


def _descriptor(font):
    descendants = font.get('/DescendantFonts')
    return (descendants[0] if descendants else font).get('/FontDescriptor')


def _program_key(font) -> str | None:
    descriptor = _descriptor(font)
    if descriptor is None:
        return None
    for key in ('/FontFile2', '/FontFile3', '/FontFile'):
        if key in descriptor:
            return key
    return None


def _highest_glyph(font) -> int:
    """The highest glyph id ``font`` draws: the last one its /W widths name (-1: none)."""
    import pikepdf
    widths = _descriptor_font(font).get('/W') or []
    highest, index = -1, 0
    while index < len(widths):
        first = int(widths[index])
        following = widths[index + 1] if index + 1 < len(widths) else None
        if following is not None and isinstance(following, pikepdf.Array):
            highest = max(highest, first + len(following) - 1)
            index += 2
        else:   # first last width
            highest = max(highest, int(following) if following is not None else first)
            index += 3
    return highest


def _descriptor_font(font):
    descendants = font.get('/DescendantFonts')
    return descendants[0] if descendants else font


def _rename(font, name: str) -> None:
    import pikepdf
    font.BaseFont = pikepdf.Name('/' + name)
    descendants = font.get('/DescendantFonts')
    if descendants:
        descendants[0].BaseFont = pikepdf.Name('/' + name)
    descriptor = _descriptor(font)
    if descriptor is not None:
        descriptor.FontName = pikepdf.Name('/' + name)


def unite_fonts(document, pages_of_foreign: set[int] = frozenset()) -> None:
    """Give ``document`` one font program per face, and a distinct tag per program.

    ``pages_of_foreign``: the indexes of pages from included originals, whose fonts are
    kept (only retagged if their tag clashes).
    """
    import pikepdf

    ours: dict[tuple, dict] = {}   # face → objgen → font dictionary
    every: dict = {}
    programs: dict = {}   # objgen → the program's bytes, decompressed once
    faces: dict = {}      # objgen → the TrueType program read, or None

    def program(stream) -> bytes:
        if stream.objgen not in programs:
            programs[stream.objgen] = stream.read_bytes()
        return programs[stream.objgen]

    def face(stream) -> _Face | None:
        if stream.objgen not in faces:
            key = hashlib.sha1(stream.read_raw_bytes()).digest() + bytes(
                str(stream.get('/Filter')), 'ascii')
            found = _FACES.get(key)
            if found is None:
                data = program(stream)
                if data[:4] in (b'\x00\x01\x00\x00', b'true'):
                    try:
                        found = _cached_face(data, key)
                    except Exception:   # not a font this can read: left as it is
                        found = None
            faces[stream.objgen] = found
        return faces[stream.objgen]

    for index, page in enumerate(document.pages):
        found: dict = {}
        _fonts(page.obj.get('/Resources'), found, set())
        every.update(found)
        if index in pages_of_foreign:
            continue
        for key, font in found.items():
            if _program_key(font) != '/FontFile2':
                continue
            prefix, base = split_name(str(font.get('/BaseFont', '')).lstrip('/'))
            # Identity-H: glyph ids are the codes (WeasyPrint's other encoding maps glyphs
            # its fonts lack to ids past the font's end: such a font is kept as it is).
            if not prefix or font.get('/Encoding') != pikepdf.Name('/Identity-H'):
                continue
            stream = _descriptor(font).FontFile2
            read = face(stream)
            if read is None:
                continue
            same = identity(read)
            ours.setdefault((base, same), {})[key] = font
    for (base, _), fonts in sorted(ours.items(), key=lambda item: item[0][0]):
        streams: dict = {}
        for font in fonts.values():
            stream = _descriptor(font).FontFile2
            streams.setdefault(stream.objgen, stream)
        if len(streams) < 2:
            continue
        ordered = [stream for _, stream in sorted(streams.items())]
        limits: dict = {key: -1 for key in streams}
        for font in fonts.values():
            key = _descriptor(font).FontFile2.objgen
            limits[key] = max(limits[key], _highest_glyph(font))
        # A font without widths does not say which glyphs it draws: kept as it is.
        data = None if min(limits.values()) < 0 else _unite(
            [face(stream) for stream in ordered], [limits[stream.objgen] for stream in ordered])
        if data is None:
            continue   # kept as they are; their names are made distinct below
        united = pikepdf.Stream(document, zlib.compress(data, 1))
        united.Filter = pikepdf.Name.FlateDecode
        united.Length1 = len(data)
        name = f'{subset_tag(data)}+{base}'
        for font in fonts.values():
            _descriptor(font).FontFile2 = united
            _rename(font, name)
    # Any two different subsets that share one name get tags of their own.
    by_name: dict[str, dict] = {}
    for font in every.values():
        key = _program_key(font)
        if key is None:
            continue
        stream = _descriptor(font)[key]
        name = str(font.get('/BaseFont', '')).lstrip('/')
        by_name.setdefault(name, {}).setdefault(stream.objgen, []).append(font)
    for name, sharing in by_name.items():
        prefix, base = split_name(name)
        if len(sharing) < 2 or not prefix:   # a full font keeps its name: it has no tag
            continue
        for fonts in sharing.values():
            data = program(_descriptor(fonts[0])[_program_key(fonts[0])])
            for font in fonts:
                _rename(font, f'{subset_tag(data + name.encode())}+{base}')


def name_by_program(document) -> None:
    """Name every subset of ``document`` after its own program (``subset_tag`` of its
    bytes), as the build's font audit names each document's: across the files of one
    mailing, one name then always means one program. Full fonts (no tag) keep their names."""
    found: dict = {}
    for page in document.pages:
        _fonts(page.obj.get('/Resources'), found, set())
    for font in found.values():
        key = _program_key(font)
        prefix, base = split_name(str(font.get('/BaseFont', '')).lstrip('/'))
        if key is None or not prefix:
            continue
        name = f'{subset_tag(_descriptor(font)[key].read_bytes())}+{base}'
        if name != f'{prefix}+{base}':
            _rename(font, name)

