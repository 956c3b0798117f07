"""Packets and bundles: one font program per face, every document's tags and bookmarks kept,
the documents' pages and text in order, and the same bytes however they are built."""

from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path

import pikepdf
import pypdfium2
import pytest

from conftest import FIXTURES, copy_project, fonts, normalize, run_cli

NOTICE = '2024-10-08-onestop'
CODES = ('08', '13', '36')
SELECTION = ('-p', '08', '-p', '13', '-p', '36', '--lang', 'none')


def build(root: Path, out: Path, *args: str) -> Path:
    result = run_cli('build', '--out', str(out), *args, root=root,
                     env={'XDG_CACHE_HOME': str(out.parent / f'{out.name}-cache')})
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope='module')
def built(tmp_path_factory) -> tuple[Path, Path]:
    """A project copy and its build of three prefectures over two workers."""
    base = tmp_path_factory.mktemp('packets')
    root = copy_project(base / 'project')
    return root, build(root, base / 'dist', *SELECTION, '--jobs', '2')


def assembled(out: Path) -> list[Path]:
    return sorted((out / NOTICE / 'packets').glob('*.pdf')) + sorted(
        (out / NOTICE / 'bundles').glob('*.pdf'))


def parts_of(root: Path) -> dict[str, list[str]]:
    """Each packet's and bundle's documents, in order, from the plan."""
    from noticegen.api import check
    from noticegen.options import Options
    checked = check(Options(root=root, langs=[], prefectures=list(CODES)))
    return {job.output: list(job.parts) for job in checked.jobs
            if job.kind in ('packet', 'bundle')}


def test_one_font_program_per_face(built):
    root, out = built
    paths = assembled(out)
    assert len(paths) == 6
    for path in paths:
        with pikepdf.open(path) as document:
            found = fonts(document)
            faces: dict[str, set] = {}
            for name, programs in found.items():
                faces.setdefault(name.split('+', 1)[1], set()).update(programs)
            assert set(faces) == {'BIZ-UDMincho', 'BIZ-UDGothic', 'BIZ-UDGothic-Bold'}, path
            assert all(len(programs) == 1 for programs in faces.values()), (path, faces)


def test_no_two_programs_share_a_subset_name_in_any_output(built):
    """Within each file, and across all the files of the build: a print RIP that caches
    fonts by name must never get two different programs under one name."""
    _, out = built
    pdfs = sorted(out.rglob('*.pdf'))
    assert len(pdfs) == 16   # the letter, 別添2–4, labels, and 3 × 4 per prefecture
    programs_by_name: dict[str, set] = {}
    for path in pdfs:
        with pikepdf.open(path) as document:
            for name, programs in fonts(document).items():
                assert len(programs) == 1, (path, name, len(programs))
                stream = document.get_object(next(iter(programs)))
                programs_by_name.setdefault(name, set()).add(
                    hashlib.sha256(stream.read_bytes()).hexdigest())
    assert len(programs_by_name) > 10
    assert all(len(digests) == 1 for digests in programs_by_name.values()), {
        name: len(digests) for name, digests in programs_by_name.items() if len(digests) > 1}


def test_united_fonts_draw_every_page_as_its_document_does(built):
    """The packet's pages, rendered, are pixel for pixel the pages of its documents."""
    root, out = built
    for output, parts in parts_of(root).items():
        if '/13-' not in output:
            continue
        packet = pypdfium2.PdfDocument(out / output)
        index = 0
        for part in parts:
            document = pypdfium2.PdfDocument(out / part)
            for page in document:
                expected = page.render(scale=0.6).to_pil().tobytes()
                got = packet[index].render(scale=0.6).to_pil().tobytes()
                assert got == expected, (output, part, index)
                index += 1
        assert index == len(packet)


def test_text_of_each_page_is_that_of_its_documents_in_order(built):
    root, out = built

    def texts(path: Path) -> list[str]:
        document = pypdfium2.PdfDocument(path)
        return [normalize(page.get_textpage().get_text_range()) for page in document]

    for output, parts in parts_of(root).items():
        expected = [text for part in parts for text in texts(out / part)]
        got = texts(out / output)
        assert len(got) == len(expected) and all(got), output
        assert got == expected, output


def _elements(element, pages: dict, seen: set, found: list) -> None:
    """The pages that ``element``'s subtree marks, and the (type, title) of each element."""
    if not isinstance(element, pikepdf.Dictionary):
        return
    if '/Pg' in element:
        seen.add(pages[element.Pg.objgen])
    if '/S' in element:
        found.append(str(element.S))
    kids = element.get('/K')
    if kids is None:
        return
    for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
        if isinstance(kid, pikepdf.Dictionary) and '/S' in kid:
            assert kid.P.objgen == element.objgen   # each child names its parent
        _elements(kid, pages, seen, found)


def test_structure_tree_covers_every_page_one_part_per_document(built):
    root, out = built
    plan = parts_of(root)
    titles = {}
    for output, parts in plan.items():
        with pikepdf.open(out / output) as document:
            tree = document.Root.StructTreeRoot
            top = tree.K
            assert top.S == pikepdf.Name.Document and top.P.objgen == tree.objgen
            kinds = [str(part.S) for part in top.K]
            assert kinds == ['/Part'] * len(parts), output
            titles[output] = [str(part.T) for part in top.K]
            pages = {page.objgen: number for number, page in enumerate(document.pages)}
            seen: set[int] = set()
            found: list[str] = []
            _elements(top, pages, seen, found)
            assert seen == set(range(len(document.pages))), output
            assert '/H1' in found and '/P' in found
            # every page's marked content is found through the one parent tree
            nums = tree.ParentTree.Nums
            keys = [int(nums[i]) for i in range(0, len(nums), 2)]
            assert keys == sorted(set(keys))
            for page in document.pages:
                assert int(page.obj.StructParents) in keys
            assert int(tree.ParentTreeNextKey) > max(keys)
            assert document.Root.MarkInfo.Marked is True or document.Root.MarkInfo.Marked
            assert str(document.Root.Lang) == 'ja'
    packet = titles[f'{NOTICE}/packets/13-tokyo.pdf']
    assert [title.split(' ')[0] for title in packet] == [
        '送付状', '事務連絡', '別添1', '別添2', '別添3', '別添4']


def test_bookmarks_one_per_document_with_its_own_nested(built):
    root, out = built
    for output, parts in parts_of(root).items():
        with pikepdf.open(out / output) as document:
            pages = {page.objgen: number for number, page in enumerate(document.pages)}
            outline = document.open_outline()
            top = list(outline.root)
            assert len(top) == len(parts), output
            start = 0
            for item, part in zip(top, parts):
                with pikepdf.open(out / part) as source:
                    count = len(source.pages)
                    own = [child.title for child in source.open_outline().root]
                assert pages[item.destination[0].objgen] == start
                assert [child.title for child in item.children] == own, (output, part)

                def within(items):
                    for child in items:
                        assert start <= pages[child.destination[0].objgen] < start + count
                        within(child.children)
                within(item.children)
                start += count
            assert start == len(document.pages)


def test_title_and_dates_of_a_packet(built):
    _, out = built
    with pikepdf.open(out / NOTICE / 'packets' / '36-tokushima.pdf') as document:
        info = document.docinfo
        assert str(info.Title).endswith('（徳島県）（送付資料一式）')
        assert str(info.CreationDate).startswith('D:20241008')
        assert str(info.ModDate) == str(info.CreationDate)
        assert document.Root.ViewerPreferences.DisplayDocTitle


def test_packets_are_smaller_than_the_sum_of_their_documents(built):
    """United fonts: a packet weighs well under what its documents weigh together."""
    root, out = built
    for output, parts in parts_of(root).items():
        total = sum((out / part).stat().st_size for part in parts)
        assert (out / output).stat().st_size < 0.7 * total, output


def digests(out: Path) -> dict[str, str]:
    return {str(path.relative_to(out)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(out.rglob('*.pdf'))}


def test_same_bytes_with_one_worker_again_and_incrementally(built, tmp_path):
    root, out = built
    expected = digests(out)
    one = build(root, tmp_path / 'one', *SELECTION, '--jobs', '1')
    assert digests(one) == expected
    # Incremental: two prefectures first, then the third is added to the same folder.
    step = build(root, tmp_path / 'step', '-p', '08', '-p', '13', '--lang', 'none',
                 '--jobs', '2')
    result = run_cli('build', '--out', str(step), *SELECTION, '--jobs', '2', '-v', root=root,
                     env={'XDG_CACHE_HOME': str(tmp_path / 'step-cache')})
    assert result.returncode == 0, result.stderr
    assert digests(step) == expected
    # What was printed before the workers were forked is printed once, not again by them.
    lines = [line for line in result.stdout.splitlines() if NOTICE in line]
    assert len(lines) == len(set(lines)) and any('unchanged' in line for line in lines)


def test_an_included_original_keeps_its_fonts_and_the_rest_is_united(tmp_path):
    root = copy_project(tmp_path / 'project')
    folder = root / 'attachments' / NOTICE
    shutil.copy(FIXTURES / 'included' / 'original.pdf', folder / 'original.pdf')
    (folder / '5-original.yaml').write_text(
        'notice: 2024-10-08-onestop\nnumber: 5\ntitle: 原本の資料\nkind: pdf\nfile: original.pdf\n',
        encoding='utf-8')
    out = build(root, tmp_path / 'dist', '-p', '13', '--lang', 'none')
    with pikepdf.open(out / NOTICE / 'packets' / '13-tokyo.pdf') as document:
        pages = len(document.pages)
        included = set(range(pages - 2, pages))   # the original's two pages come last
        faces: dict[str, set] = {}
        for name, programs in fonts(document).items():
            assert len(programs) == 1, name
            for objgen, page in programs.items():
                if page not in included:
                    faces.setdefault(name.split('+', 1)[1], set()).add(objgen)
        assert all(len(programs) == 1 for programs in faces.values()), faces
        # the original's own font is as it was (under the stamp's form, or on the page)
        page = document.pages[pages - 2]
        names = {str(font.BaseFont) for resources in [page.Resources] + [
            xobject.Resources for xobject in (page.Resources.get('/XObject') or {}).values()
            if '/Resources' in xobject] for font in (resources.get('/Font') or {}).values()}
        assert '/Helvetica' in names
        assert 'Originaldocument,page1' in normalize(
            pypdfium2.PdfDocument(out / NOTICE / 'packets' / '13-tokyo.pdf')[pages - 2]
            .get_textpage().get_text_range())
        outline = [item.title.split(' ')[0] for item in document.open_outline().root]
        assert outline[-1] == '別添5'
        tree = document.Root.StructTreeRoot
        assert [str(part.T).split(' ')[0] for part in tree.K.K][-1] == '別添5'


def same_names(path: Path) -> bytes:
    """``path`` with each subset named ``AAAAAA+face``, as one tool names them in every file."""
    with pikepdf.open(path) as document:
        for page in document.pages:
            for font in page.Resources.Font.values():
                name = pikepdf.Name('/AAAAAA+' + str(font.BaseFont).split('+', 1)[1])
                font.BaseFont = font.DescendantFonts[0].BaseFont = name
                font.DescendantFonts[0].FontDescriptor.FontName = name
        output = io.BytesIO()
        document.save(output)
        return output.getvalue()


def test_different_programs_under_one_name_get_tags_of_their_own(built):
    """Two documents whose fonts are kept as they are (as included originals' are), with
    different subsets of a face under one name: the assembled file names each program
    differently, and each name is its program's alone."""
    from noticegen.assemble.pdf import Part, assemble
    _, out = built
    first = same_names(out / NOTICE / 'notice.pdf')
    second = same_names(out / NOTICE / 'covers' / '13-tokyo.pdf')
    with pikepdf.open(io.BytesIO(first)) as a, pikepdf.open(io.BytesIO(second)) as b:
        assert set(fonts(a)) & set(fonts(b))   # the same names, different programs
    data = assemble([Part('a', first, foreign=True), Part('b', second, foreign=True)],
                    'title', 'author', "D:20241008000000+09'00")
    with pikepdf.open(io.BytesIO(data)) as document:
        found = fonts(document)
        assert all(len(programs) == 1 for programs in found.values())
        assert not any(name.startswith('/AAAAAA+') for name in found)
        faces: dict[str, set] = {}
        for name, programs in found.items():
            faces.setdefault(name.split('+', 1)[1], set()).update(programs)
        assert faces and all(len(programs) == 2 for programs in faces.values())   # not united


def test_the_union_of_subsets_has_every_glyph_of_each(built):
    """Each glyph a subset draws is in the union, with the outline and advance of the
    original font's glyph of that id, and the union is a font fontTools reads with valid
    checksums. Past the highest glyph a subset draws, its ids are its own (HarfBuzz
    renumbers what it adds there), and those differ from subset to subset."""
    from fontTools.ttLib import TTFont

    from noticegen.assemble.subsets import _highest_glyph, unite
    _, out = built
    programs, limits = [], []
    for name in ('notice.pdf', 'covers/13-tokyo.pdf', 'betten-2.pdf'):
        with pikepdf.open(out / NOTICE / name) as document:
            for font in document.pages[0].Resources.Font.values():
                if str(font.BaseFont).endswith('+BIZ-UDMincho'):
                    programs.append(font.DescendantFonts[0].FontDescriptor.FontFile2.read_bytes())
                    limits.append(_highest_glyph(font))
    assert len(programs) == 3 and len(set(programs)) == 3
    united = TTFont(io.BytesIO(unite(programs, limits)), checkChecksums=2)
    assert united['maxp'].numGlyphs == max(limits) + 1
    original = TTFont('/usr/share/fonts/truetype/bizud-mincho/BIZUDMincho-Regular.ttf', lazy=True)
    names, order = original.getGlyphOrder(), united.getGlyphOrder()
    checked = 0
    for data, limit in zip(programs, limits):
        subset = TTFont(io.BytesIO(data))
        for gid, name in enumerate(subset.getGlyphOrder()[:limit + 1]):
            glyph = subset['glyf'][name]
            if glyph.numberOfContours == 0:
                continue
            coordinates = glyph.getCoordinates(subset['glyf'])[0]
            assert original['glyf'][names[gid]].getCoordinates(original['glyf'])[0] == \
                coordinates, gid
            assert united['glyf'][order[gid]].getCoordinates(united['glyf'])[0] == \
                coordinates, gid
            assert united['hmtx'][order[gid]][0] == original['hmtx'][names[gid]][0], gid
            checked += 1
    assert checked > 500
    # and nothing else: every glyph of the union is the original font's glyph of its id
    # (a glyph a subset renumbered past its limit would differ)
    for gid, name in enumerate(order):
        glyph = united['glyf'][name]
        if glyph.numberOfContours:
            assert original['glyf'][names[gid]].getCoordinates(original['glyf'])[0] == \
                glyph.getCoordinates(united['glyf'])[0], gid


def test_the_glyphs_a_font_draws_and_a_composite_is_made_of():
    """The two readings the union trusts: /W in both of its forms, and composite glyphs."""
    import struct

    from noticegen.assemble.subsets import _components, _highest_glyph
    font = pikepdf.Dictionary(W=pikepdf.Array([1, pikepdf.Array([500, 500]), 10, 20, 300]))
    assert _highest_glyph(font) == 20
    assert _highest_glyph(pikepdf.Dictionary(W=pikepdf.Array([3, pikepdf.Array([1000])]))) == 3
    assert _highest_glyph(pikepdf.Dictionary()) == -1
    header = struct.pack('>h4h', -1, 0, 0, 100, 100)
    composite = (header + struct.pack('>HHhh', 0x0021, 7, 10, 20)        # words, more
                 + struct.pack('>HHbbh', 0x0008, 9, 1, 2, 0x4000))      # bytes, a scale
    assert _components(composite) == [7, 9]
    assert _components(struct.pack('>h4h', 1, 0, 0, 10, 10) + bytes(8)) == []
