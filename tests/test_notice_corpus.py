"""A corpus of notices of the common shapes of 公用文 (tests/notices/<id>/), each a project of
its own that holds only it. Each is built alone and checked on its PDFs: the features it
claims, its text in order, nothing added but the generated parts, and the layout."""

from __future__ import annotations

import shutil
import unicodedata
from collections import Counter
from pathlib import Path

import pdfplumber
import pytest

from conftest import ROOT, normalize, run_cli

CORPUS = Path(__file__).resolve().parent / 'notices'
IDS = sorted(path.name for path in CORPUS.iterdir() if (path / 'noticegen.toml').is_file())
PT_PER_MM = 72 / 25.4
LEFT = 25 * PT_PER_MM
EM = 12.0
RIGHT = LEFT + 38 * EM
TOLERANCE = 1.0
FOOTER = 20 * PT_PER_MM   # the bottom margin, where page numbers sit


def test_the_corpus_has_every_common_shape():
    assert len(IDS) >= 6
    projects = {notice_id: load(notice_id) for notice_id in IDS}
    notices = {notice_id: project.notices[0] for notice_id, project in projects.items()}
    assert any(n.notice.numbers and any(a.honorific == '殿' for a in n.notice.addressees)
               for n in notices.values()), 'a 通知 with a document number and 殿'
    assert any(len(n.notice.issuers) >= 2 and len(n.notice.numbers) >= 2
               for n in notices.values()), 'a joint notice from two offices'
    assert any(tables(n) for n in notices.values()), 'a table'
    assert any(a.kind == 'form' for n in notices.values() for a in n.attachments), '別紙様式'
    assert any(not n.attachments for n in notices.values()), 'no attachments'
    assert any(depth(n.notice.items) == 5 for n in notices.values()), 'five levels'
    for notice_id in IDS:
        comment = (CORPUS / notice_id / 'notices' / f'{notice_id}.yaml').read_text('utf-8')
        assert 'http' in comment.split('\nid:')[0], f'{notice_id} cites its source'


def load(notice_id: str):
    from noticegen.load.project import load_project
    return load_project(CORPUS / notice_id)


def depth(items) -> int:
    from noticegen.model.schema import items_depth
    return items_depth(items)


def tables(notice_set) -> list:
    """Every table of the notice and its attachments, in order."""
    found = []

    def blocks(values):
        for block in values:
            if getattr(block, 'block', None) == 'table':
                found.append(block.table)

    def items(values):
        for item in values:
            blocks(item.paragraphs)
            items(item.items)
    blocks(notice_set.notice.body)
    items(notice_set.notice.items)
    for attachment in notice_set.attachments:
        blocks(getattr(attachment, 'body', []))
        items(getattr(attachment, 'items', []))
        blocks(getattr(attachment, 'lead', []))
        if getattr(attachment, 'table', None) is not None and attachment.kind == 'form':
            found.append(attachment.table)
        blocks(getattr(attachment, 'after', []))
    return found


@pytest.fixture(scope='module', params=IDS)
def built(request, tmp_path_factory):
    """The notice's project alone (plus the templates), built: (id, notice set, out folder)."""
    notice_id = request.param
    root = tmp_path_factory.mktemp(notice_id) / notice_id
    shutil.copytree(CORPUS / notice_id, root)
    shutil.copytree(ROOT / 'templates', root / 'templates')
    out = root / 'dist'
    result = run_cli('build', '--out', str(out), root=root)
    assert result.returncode == 0, result.stderr
    assert 'warning' not in result.stderr, result.stderr
    return notice_id, load(notice_id).notices[0], out / notice_id


def pdf_of(folder: Path, name: str):
    return pdfplumber.open(folder / name)


def body_chars(pdf) -> list[dict]:
    """Every printed character but whitespace and the page numbers, page by page."""
    found = []
    for page in pdf.pages:
        found += [dict(char, page=page.page_number) for char in page.chars
                  if not char['text'].isspace() and char['top'] < page.height - FOOTER]
    return found


def text_of(chars) -> str:
    return normalize(''.join(char['text'] for char in chars))


def test_it_makes_its_letter_and_attachments_and_nothing_else(built):
    from noticegen.model.numbering import attachment_stem
    notice_id, notice_set, folder = built
    made = sorted(path.name for path in folder.iterdir())
    assert made == sorted(['notice.pdf', *(f'{attachment_stem(a)}.pdf'
                                          for a in notice_set.attachments)])


# --- what the letter prints: the notice's text, and the parts the code adds ----------------

def letter_parts(notice_set) -> tuple[list[str], list[str]]:
    """The letter's text in reading order, as (author text, generated text) fragments.

    Generated: the markers, the date, 記, the attachment labels, the copy and note labels,
    the words of the 照会先 (電話：, 内線, FAX：) and the brackets around them.
    """
    from noticegen.model.numbering import attachment_label, label_text, marker
    from noticegen.model.wareki import format_wareki
    notice = notice_set.notice
    style = notice.style
    ordered: list[str] = []
    generated: list[str] = []

    def author(*texts):
        ordered.extend(text for text in texts if text)

    def blocks(values):
        for block in values:
            if isinstance(block, str):
                author(block)
            elif block.block == 'table':
                table = block.table
                author(table.caption)
                for cell in [*table.header, *(c for row in table.rows
                                              for c in table.cells_of(row))]:
                    author(cell if isinstance(cell, str) or cell is None else cell.text)
            elif block.block == 'note':
                generated.append(style.note_label)
                author(block.note)
            else:
                for index, note in enumerate(block.notes, start=1):
                    generated.append(label_text(style.numbered_note_label, index, style.digits))
                    author(note)

    def items(values, level):
        for index, item in enumerate(values, start=1):
            generated.append(marker(style.markers[level - 1], index, style.digits))
            author(item.heading if item.heading is not None else item.text)
            blocks(item.paragraphs)
            items(item.items, level + 1)

    author(*notice.numbers, notice.label)
    generated.append(format_wareki(notice.date, style.digits))
    for addressee in notice.main_addressees:
        author(*addressee.lines, addressee.honorific)
    for addressee in notice.copy_addressees:
        generated.append(style.copy_label)
        author(*addressee.lines, addressee.honorific)
    for issuer in notice.issuers:
        author(*issuer.lines, issuer.seal_note)
    author(*notice.title_lines)
    blocks(notice.body)
    if notice.ki and notice.items:
        generated.append(notice.ki)
    items(notice.items, 1)
    author(notice.closing)
    if notice_set.attachments and notice.list_attachments:
        author(notice.attachments_heading)
        for attachment in notice_set.attachments:
            generated.append(attachment_label(notice, attachment))
            author(attachment.title)
            if attachment.source:
                generated.append('（）' + ('（抄）' if attachment.source.excerpt else ''))
                if attachment.source.date:
                    generated.append(format_wareki(attachment.source.date, style.digits))
                author(attachment.source.by)
    if notice.contact:
        author(notice.contact.label)
        for office in notice.contact.offices:
            author(*office.lines, *office.staff)
            if office.staff and office.extensions:
                generated.append('（）')
            if len(office.staff) > 1:
                generated.append('、' * (len(office.staff) - 1))
            if office.extensions:
                generated.append('内線' + '、' * (len(office.extensions) - 1))
                author(*office.extensions)
            if office.phone:
                generated.append('電話：' + ('（）' if office.phone_note else ''))
                author(office.phone, office.phone_note)
            if office.fax:
                generated.append('FAX：')
                author(office.fax)
            author(office.email)
    return ordered, generated


def test_the_letter_prints_the_notice_in_order_and_adds_only_the_generated_parts(built):
    _, notice_set, folder = built
    ordered, generated = letter_parts(notice_set)
    with pdf_of(folder, 'notice.pdf') as pdf:
        printed = text_of(body_chars(pdf))
    position = 0
    for fragment in map(normalize, ordered):
        found = printed.find(fragment, position)
        assert found >= 0, f'missing or out of order: {fragment}'
        position = found + len(fragment)
    expected = Counter(''.join(normalize(text) for text in [*ordered, *generated]))
    assert Counter(printed) == expected, (
        f'added: {Counter(printed) - expected}; missing: {expected - Counter(printed)}')


def test_page_numbers_only_past_one_page(built):
    _, _, folder = built
    with pdf_of(folder, 'notice.pdf') as pdf:
        footers = [normalize(page.within_bbox((0, page.height - FOOTER, page.width,
                                                page.height)).extract_text() or '')
                   for page in pdf.pages]
    if len(footers) == 1:
        assert footers == ['']
    else:
        assert footers == [str(number) for number in range(1, len(footers) + 1)]


# --- the features each notice claims, read back from its PDFs ------------------------------

def find(chars, text: str, start: int = 0) -> tuple[list[dict], int]:
    """The characters of the first occurrence of ``text`` at or after ``start``."""
    joined = ''.join(normalize(char['text']) for char in chars)
    # NFKC keeps one character per character here (no ligatures in these texts).
    index = joined.find(normalize(text), start)
    assert index >= 0, f'{text!r} not found'
    return chars[index:index + len(normalize(text))], index + len(normalize(text))


def test_header_numbers_label_date_and_issuers_share_the_right_edge(built):
    from noticegen.model.wareki import format_wareki
    _, notice_set, folder = built
    notice = notice_set.notice
    with pdf_of(folder, 'notice.pdf') as pdf:
        chars = [c for c in body_chars(pdf) if c['page'] == 1]
    lines = [*notice.numbers, *([notice.label] if notice.label else []),
             format_wareki(notice.date, notice.style.digits)]
    tops = []
    for text in lines:
        found, _ = find(chars, text)
        assert found[-1]['x1'] == pytest.approx(RIGHT, abs=TOLERANCE), text
        tops.append(found[0]['top'])
    assert tops == sorted(tops) and tops[0] < 100
    for issuer in notice.issuers:
        for text in [*issuer.lines, *([issuer.seal_note] if issuer.seal_note else [])]:
            found, _ = find(chars, text)
            assert found[-1]['x1'] == pytest.approx(RIGHT, abs=TOLERANCE), text
    for addressee in notice.addressees:
        found, _ = find(chars, addressee.lines[0])
        assert found[0]['x0'] == pytest.approx(LEFT, abs=TOLERANCE)
        if addressee.honorific:
            honorific, _ = find(chars, addressee.lines[-1] + addressee.honorific)
            assert honorific[-1]['x1'] > honorific[0]['x0']


def centre(chars) -> float:
    """The centre of a line's ink: an opening bracket that starts a broken line is trimmed by
    half an em (its blank left half hangs out), so its ink starts at the middle of its box."""
    first = chars[0]
    left = first['x0'] + (first['size'] / 2 if first['text'] in '「『（【〔〈《' else 0)
    return (left + chars[-1]['x1']) / 2


def test_title_and_ki_are_centred(built):
    _, notice_set, folder = built
    notice = notice_set.notice
    middle = LEFT + 38 * EM / 2
    with pdf_of(folder, 'notice.pdf') as pdf:
        chars = [c for c in body_chars(pdf) if c['page'] == 1]
    for line in notice.title_lines:
        found, _ = find(chars, line)
        assert centre(found) == pytest.approx(middle, abs=TOLERANCE), line
    if notice.ki and notice.items:
        ki = [c for c in chars if c['text'] == notice.ki and abs(centre([c]) - middle) < EM]
        assert len(ki) == 1


def item_markers(items, style, level=1, path=()):
    """(level, marker, first words) of every item, in order."""
    from noticegen.model.numbering import marker
    for index, item in enumerate(items, start=1):
        text = item.heading if item.heading is not None else item.text
        yield level, marker(style.markers[level - 1], index, style.digits), text[:6]
        yield from item_markers(item.items, style, level + 1)


def test_items_step_one_em_a_level_and_show_every_level(built):
    _, notice_set, folder = built
    notice = notice_set.notice
    with pdf_of(folder, 'notice.pdf') as pdf:
        chars = body_chars(pdf)
    position = 0
    levels = set()
    for level, mark, start in item_markers(notice.items, notice.style):
        found, position = find(chars, mark + start, position)
        assert found[0]['x0'] == pytest.approx(LEFT + (level - 1) * EM, abs=TOLERANCE), mark
        gap = found[len(mark)]['x0'] - found[len(mark) - 1]['x1']
        assert gap == pytest.approx(notice.style.gap(level) * EM, abs=TOLERANCE), mark
        levels.add(level)
    assert len(levels) == depth(notice.items)


def test_closing_is_a_line_of_its_own_at_the_right(built):
    _, notice_set, folder = built
    notice = notice_set.notice
    with pdf_of(folder, 'notice.pdf') as pdf:
        lines = [line for page in pdf.pages
                 for line in page.extract_text_lines() if normalize(line['text']) == '以上']
    if notice.closing:
        assert len(lines) == 1
        assert lines[0]['x1'] == pytest.approx(RIGHT, abs=TOLERANCE)
    else:
        assert lines == []


def test_tables_are_ruled_tagged_and_have_their_rows(built):
    import pikepdf
    _, notice_set, folder = built
    expected = tables(notice_set)
    found = []
    roles = Counter()
    for pdf_path in sorted(folder.glob('*.pdf')):
        with pdfplumber.open(pdf_path) as pdf:
            for page in pdf.pages:
                found += page.find_tables()
        with pikepdf.open(pdf_path) as document:
            root = document.Root.get('/StructTreeRoot')
            stack = [root] if root is not None else []
            while stack:
                node = stack.pop()
                if isinstance(node, pikepdf.Dictionary):
                    roles[str(node.get('/S', ''))] += 1
                    kids = node.get('/K')
                    if kids is not None:
                        stack += list(kids) if isinstance(kids, pikepdf.Array) else [kids]
                elif isinstance(node, pikepdf.Array):
                    stack += list(node)
    assert len(found) == len(expected)
    for table, drawn in zip(expected, found):
        rows = len(table.rows) + (1 if table.header else 0)
        assert len(drawn.rows) == rows
    if expected:
        assert roles['/Table'] == len(expected)
        assert roles['/TR'] == sum(len(t.rows) + (1 if t.header else 0) for t in expected)
        assert roles['/TH'] >= sum(1 for t in expected if t.header)


def test_attachments_carry_their_label_at_the_top_right_and_are_listed(built):
    from noticegen.model.numbering import attachment_label, attachment_stem
    _, notice_set, folder = built
    notice = notice_set.notice
    with pdf_of(folder, 'notice.pdf') as pdf:
        letter = text_of(body_chars(pdf))
    for attachment in notice_set.attachments:
        label = attachment_label(notice, attachment)
        assert normalize(label + attachment.title) in letter
        with pdf_of(folder, f'{attachment_stem(attachment)}.pdf') as pdf:
            page = pdf.pages[0]
            if attachment.kind == 'pdf':   # stamped over the included page
                words = [w for w in page.extract_words() if normalize(w['text']) == normalize(label)]
                assert words and words[0]['top'] < 100
                continue
            chars = [c for c in page.chars if not c['text'].isspace()]
            found, _ = find(chars, label)
            assert found[-1]['x1'] == pytest.approx(RIGHT, abs=TOLERANCE)
            assert found[0]['top'] < 100
            assert normalize(attachment.heading or attachment.title) in text_of(chars)


def test_forms_print_their_labels_and_leave_their_boxes_empty(built):
    _, notice_set, folder = built
    from noticegen.model.numbering import attachment_stem
    for attachment in notice_set.attachments:
        if attachment.kind != 'form':
            continue
        with pdf_of(folder, f'{attachment_stem(attachment)}.pdf') as pdf:
            drawn = pdf.pages[0].find_tables()[0].extract()
        table = attachment.table
        for row, cells in zip(table.rows, drawn):
            for value, printed in zip(table.cells_of(row), cells):
                if value is None:
                    assert not printed, 'a box to fill in is empty'
                else:
                    text = value if isinstance(value, str) else value.text
                    assert normalize(printed or '') == normalize(text or '')
        heights = [r for r in table.rows if table.height_of(r)]
        assert heights, 'the form gives some rows room to write in'
