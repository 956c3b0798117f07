"""The layouts of the lists prefectures start from, each recognised by its content.

Every layout below is read natively because a public page documents it; a list in a layout
nobody documents is read with a column mapping (``--mapping``, see ``MappingLayout``).

The 地方厚生局's 「コード内容別医療機関一覧表」, bureau by bureau. Pages: the README of
tomoueh/collect_med_inst_cd_py (a public tool that downloads every bureau's list,
"最終確認日 2024-09-10") and its web_parser.py (2025-08: 東海北陸 and 九州 moved to the pages
given second). File kinds: [NES] NES株式会社, 「足並み揃わぬ都道府県データ」,
https://www.24med365.net/2022/12/prefdata2212/ (2022-12; its stored copy is cut after 近畿);
[TOMOUEH] web_parser.py above (which links it follows: Excel or zip); [CS] the comment of a
public importer's ChugokuShikokuBundleExpander ("verified against the real download");
[KINKI] the test of a public TypeScript parser quoting a real 近畿 download (2026-07);
[MH] https://www.muscle-hypertrophy.com/?p=18618 (file names per bureau). Searched
2026-11-26 with the research tool: pages 「コード内容別医療機関一覧表 地方厚生局」, 「保険医療機関・
保険薬局の指定一覧 コード内容別医療機関一覧表 厚生局 ダウンロード 医科 歯科 薬局 Excel」, 「…項番
医療機関番号 … 医療機関名称 医療機関所在地 …」 and 「足並み揃わぬ都道府県データ …」; code: the exact
string 「コード内容別医療機関一覧表」 and the bureau parsers it led to. No page of a bureau itself
(kouseikyoku.mhlw.go.jp) was among the stored pages: the bureaus' own descriptions of their
files could not be read.

- 北海道厚生局 — kouseikyoku.mhlw.go.jp/hokkaido/gyomu/gyomu/hoken_kikan/code_ichiran.html.
  Excel files, 医科 as two files, 医科(病院) and 医科(診療所) [TOMOUEH, MH]; zip [NES].
  Read: .xlsx, .xls, and a zip of them.
- 東北厚生局 — kouseikyoku.mhlw.go.jp/tohoku/gyomu/gyomu/hoken_kikan/itiran.html. Zip per
  prefecture and an all-prefecture zip; files 医科, 医科併設, 歯科, 歯科併設 [TOMOUEH, MH, NES].
  Read: the Excel files, inside the zip or unpacked.
- 関東信越厚生局 — kouseikyoku.mhlw.go.jp/kantoshinetsu/chousa/shitei.html. One zip per
  kind (医科, 歯科) for its 10 prefectures [NES, TOMOUEH]. Read: as 東北.
- 東海北陸厚生局 — kouseikyoku.mhlw.go.jp/tokaihokuriku/gyomu/gyomu/hoken_kikan/shitei.html,
  then …/tokaihokuriku/newpage_00287.html. Text files (テキスト), zipped by kind [NES]; zip
  links [TOMOUEH]. Read: text holding the sheet's cells tab- or comma-separated, UTF-8 or
  cp932; no public page shows the text layout, so another text layout is an unknown layout
  (use --mapping, or the bureau's Excel file where it has one).
- 近畿厚生局 — kouseikyoku.mhlw.go.jp/kinki/tyousa/shinkishitei.html. A zip per kind of
  per-prefecture .xlsx files (2026.7_kikanzentai_fukui_yakkyoku.xlsx) [KINKI, TOMOUEH].
  Read: .xlsx and the zip.
- 中国四国厚生局 — kouseikyoku.mhlw.go.jp/chugokushikoku/chousaka/iryoukikanshitei.html. One
  zip of five single-sheet .xlsx files, one per prefecture (医科_31_鳥取_…xlsx) [CS, TOMOUEH].
  Read: .xlsx and the zip.
- 四国厚生支局 — kouseikyoku.mhlw.go.jp/shikoku/gyomu/gyomu/hoken_kikan/shitei/index.html.
  Zip links per prefecture and for all [TOMOUEH]; no page found shows what the zip holds.
  Read: any of the forms above inside it; another form is reported as an unknown layout.
- 九州厚生局 — kouseikyoku.mhlw.go.jp/kyushu/gyomu/gyomu/hoken_kikan/index.html, then
  …/index_00006.html. One zip per prefecture holding its 医科, 歯科 and 薬局 files [NES,
  TOMOUEH]; its sheets were once read with the cells spread over merged columns (the
  number in column G, the name in K, the address in P, per a commented-out setting of
  TOMOUEH's excel_parser.py). Read: the zip, .xlsx and .xls, cells found by content.

PDF lists (some bureaus publish PDF too) are refused, naming the file. A .xls file is read
with python-calamine; no .xls writer is installed here, so the tests feed that path a
workbook named .xls that calamine recognises by content, not a BIFF8 file.

The sheet itself. Public descriptions of its cells, each from code its author ran on the
real files: [KURIHARA] Takashi Kurihara, japan-healthcare-facility-unification (Zenodo DOI
10.5281/zenodo.17404341, README of 2025-10-21 and append.py, MIT), which reads every
bureau's 医科 sheets with 11 rows skipped and ten columns: 項番, 医療機関番号, name, address
("〒" + the postal code in its first 9 characters, then the address), telephone (its later
rows: staff counts, 常勤 (医 n)), 開設者, 管理者, date of designation (its later rows: the
reason, 新規 or 交代..., and the start of the period), departments and beds (free text over
up to 7 rows: 内科　外科, 一般　52), and kind (病院, 総合病院, 診療所; its later rows 療養病床,
地域支援, 特定機能, and 現存 or 休止); [KINKI] above, quoting 近畿厚生局's 「福井県 薬局」 sheet:
A3 「コード内容別医療機関一覧表」, B3 「[福井県]」, A5 「[令和 8年 7月 1日現在　薬局　現存/休止]」, the first
institution in row 12, 「〒910－0006福井市中央１－９－３０」; AmpiTa Project, 2024-03,
https://www.ampita.jp/2024/03/hospital-db-creation/: 11 rows of title block, the prefecture
in B3 (empty in some prefectures' files), one institution over 5 or 6 rows; [TOMOUEH]
excel_parser.py: the number written "01,1047,8", "01-1857-5" or "01.1857.5", sometimes with
a second line, and the 〒 sometimes on its own line.

What is inferred, not documented: the column headings (no page quotes them; this reader
does not need them: it finds an institution's first row by its serial number followed by a
7-digit 医療機関番号, and every other cell by its content: ``bureau_columns``), that the
departments are the words ending in 科 in the departments-and-beds cells, that the manager
is the last filled cell before the date of designation, and that the text files of
東海北陸厚生局 hold the same cells, tab- or comma-separated.

医療情報ネット (ナビイ) open data: 厚生労働省, 「医療情報ネットのオープンデータ」,
https://www.mhlw.go.jp/stf/seisakunitsuite/bunya/kenkou_iryou/iryou/newpage_43373.html
(2026-06-01 edition; 定義書 https://www.mhlw.go.jp/content/11121000/001306376.xlsx, which the
search tool could not read). The files and columns read here are those quoted by public
importers of that edition: 01-1_hospital_facility_info_*.csv, 02-1_clinic_facility_info_*.csv,
03-1_dental_facility_info_*.csv, UTF-8 with BOM, with the columns ID, 正式名称, 都道府県コード,
市区町村コード, 所在地, ...; and 0N-2_*_speciality_hours_*.csv with ID and 診療科目名. No source
found shows a postal code or a manager column: the postal code is looked up from the
address (only when exactly one code fits; else the row is rejected), and no manager is read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .readers import ImportFailed, Table

HOSPITAL, CLINIC, DENTAL = '病院', '診療所', '歯科'
TYPES = (HOSPITAL, CLINIC, DENTAL)
FIELDS = ('code', 'name', 'type', 'postal_code', 'address', 'manager_title', 'manager_name',
          'departments')
REQUIRED_MAPPED = ('name', 'type', 'postal_code', 'address')
PREFECTURES = ('北海道', '青森県', '岩手県', '宮城県', '秋田県', '山形県', '福島県', '茨城県',
               '栃木県', '群馬県', '埼玉県', '千葉県', '東京都', '神奈川県', '新潟県', '富山県',
               '石川県', '福井県', '山梨県', '長野県', '岐阜県', '静岡県', '愛知県', '三重県',
               '滋賀県', '京都府', '大阪府', '兵庫県', '奈良県', '和歌山県', '鳥取県', '島根県',
               '岡山県', '広島県', '山口県', '徳島県', '香川県', '愛媛県', '高知県', '福岡県',
               '佐賀県', '長崎県', '熊本県', '大分県', '宮崎県', '鹿児島県', '沖縄県')


@dataclass
class Record:
    """One institution as read, before the checks."""

    source: str                 # file and row: 'list.xlsx[Sheet1]:12'
    original: list[list[str]]   # the row (or the rows of a block) as read
    code: str = ''
    name: str = ''
    type: str = ''
    postal_code: str = ''
    address: str = ''
    manager_title: str = ''
    manager_name: str = ''
    departments: list[str] = field(default_factory=list)
    problem: str = ''           # a reason to reject found while reading
    postal_derived: bool = False
    from_bureau: bool = False   # its address may lack the prefecture (one list, one prefecture)


def clean(text: str) -> str:
    """NFKC, blanks collapsed to one ideographic space kept where the list has one."""
    text = unicodedata.normalize('NFKC', text or '').strip()
    return re.sub(r'\s+', ' ', text)


def type_of(value: str) -> str | None:
    """病院, 診療所 or 歯科 from the words lists use (歯科診療所, 歯科病院, 一般診療所, 医科...)."""
    text = clean(value)
    if '歯科' in text:
        return DENTAL
    if '病院' in text:
        return HOSPITAL
    if '診療所' in text or text in ('クリニック', '医院'):
        return CLINIC
    return None


def departments_of(value: str) -> list[str]:
    """The words ending in 科 (内科, 小児科, 歯科口腔外科), in order, each once."""
    words = re.split(r'[\s、,，・/／]+', clean(value))
    return list(dict.fromkeys(word for word in words if word.endswith('科') and len(word) > 1))


# --- 地方厚生局 コード内容別医療機関一覧表 ------------------------------------------------------

TITLE = 'コード内容別医療機関一覧表'
# A 医療機関番号 as the lists write it: 7 digits grouped 2-4-1 or 2-5 by hyphens, commas,
# periods or 中黒 ("01-40055", "01,1047,8", "01-1857-5", "01.1857.5"); a second line of the
# cell, if any, is not part of it.
_CODE = re.compile(r'^\d{2}[-,，、.・ ]?\d{4}[-,，、.・ ]?\d$|^\d{2}[-,，、.・ ]\d{5}$')
_POSTAL_IN_ADDRESS = re.compile(r'^〒?\s*(\d{3})\s*[-‐－−ー]\s*(\d{4})\s*(.*)$', re.S)
_PHONE = re.compile(r'^[(（]?\d{2,5}[)）-][\d-]*\d{3,4}$')
_DATE = re.compile(r'^(明|大|昭|平|令|[MTSHR])\s*\d{1,2}\s*[.．]')
# The kind cell: 病院 (or 総合病院), 診療所, 薬局, and their dental forms.
_KIND = re.compile(r'(総合|歯科)?病院|(歯科)?診療所|薬局')
STATUSES = ('現存', '休止')


def is_bureau_list(table: Table) -> bool:
    return any(clean(cell) == TITLE for row in table.rows[:15] for cell in row)


def _prefecture(table: Table) -> str:
    """The prefecture the list names in its title block ([福井県]), or ''."""
    for row in table.rows[:15]:
        for cell in row:
            match = re.fullmatch(r'\[(.+?)\]', clean(cell))
            if match and match.group(1) in PREFECTURES:
                return match.group(1)
    return ''


def _list_kind(table: Table) -> str:
    """What the list's own title line says it lists ([令和 8年 7月 1日現在 薬局 現存/休止])."""
    for row in table.rows[:15]:
        for cell in row:
            text = clean(cell)
            if text.startswith('[') and '現在' in text:
                return text
    return ''


def _first_line(cell: str) -> str:
    return clean((cell or '').strip().split('\n')[0])


def _first_row(row: list[str]) -> tuple[int, int] | None:
    """(serial column, code column) if ``row`` starts an institution: a serial number (項番)
    and, in the next cell that is not empty, a 医療機関番号."""
    for index, cell in enumerate(row):
        if not re.fullmatch(r'\d+', clean(cell)):
            continue
        rest = [(column, value) for column, value in enumerate(row[index + 1:], index + 1)
                if clean(value)]
        if len(rest) >= 2 and _CODE.match(_first_line(rest[0][1])):
            return index, rest[0][0]
    return None


def _most(counts: dict[int, int], least: int) -> int | None:
    """The column counted most often, if at least ``least`` times."""
    if not counts:
        return None
    column = max(sorted(counts), key=lambda key: counts[key])
    return column if counts[column] >= least else None


@dataclass
class BureauColumns:
    """Where a list keeps each cell, found from the cells' contents (not from offsets)."""

    code: int
    name: int
    address: int | None
    phone: int | None
    founder: int | None
    manager: int | None
    date: int | None
    departments: int | None
    kind: int | None
    status: int | None


def bureau_columns(rows: list[list[str]], blocks: list[list[list[str]]],
                   code: int) -> BureauColumns:
    """Each role's column: the name is the first cell after the number; the address starts
    with a postal code; the telephone, the date of designation (昭 38. 5. 1) and the kind
    (病院, 診療所...) and status (現存, 休止) have their own forms; the manager is the last
    filled column before the date, the founder (開設者) the one before it; the departments
    are the column whose cells hold the most words ending in 科."""
    least = max(1, len(rows) // 2)

    def count(test, after: int, cells) -> dict[int, int]:
        found: dict[int, int] = {}
        for row in cells:
            for column, value in enumerate(row):
                if column > after and test(clean(value)):
                    found[column] = found.get(column, 0) + 1
        return found

    names = {}
    for row in rows:
        column = next((c for c in range(code + 1, len(row)) if clean(row[c])), None)
        if column is not None:
            names[column] = names.get(column, 0) + 1
    name = _most(names, least)
    if name is None:
        raise ImportFailed('no column of names after the 医療機関番号')
    address = _most(count(lambda v: bool(_POSTAL_IN_ADDRESS.match(v)), name, rows), least)
    after = address if address is not None else name
    phone = _most(count(lambda v: bool(_PHONE.match(v)), after, rows), least)
    date = _most(count(lambda v: bool(_DATE.match(v)), after, rows), least)
    every_row = [row for block in blocks for row in block]
    kind = _most(count(lambda v: bool(_KIND.fullmatch(v)), name, every_row), 1)
    status = _most(count(lambda v: v in STATUSES, name, every_row), 1)
    manager = founder = None
    if date is not None:
        start = phone if phone is not None else after
        filled = {c: n for c, n in count(bool, start, rows).items() if c < date}
        between = sorted(c for c, n in filled.items() if n >= least)
        if between:
            manager = between[-1]
            founder = between[-2] if len(between) > 1 else None
    taken = {code, name, address, phone, founder, manager, date, kind, status}
    departments = _most({c: n for c, n in count(
        lambda v: bool(departments_of(v)), name, every_row).items() if c not in taken}, 1)
    return BureauColumns(code, name, address, phone, founder, manager, date, departments, kind,
                         status)


def read_bureau_list(table: Table) -> list[Record]:
    prefecture = _prefecture(table)
    kind = _list_kind(table)
    starts = [(number, found[1]) for number, row in enumerate(table.rows)
              if (found := _first_row(row)) is not None]
    if not starts:
        raise ImportFailed(f'{table.source}: a {TITLE} without any institution row (a serial '
                           f'number followed by a 医療機関番号 such as 01-40055)')
    code = _most({c: sum(1 for _, col in starts if col == c) for _, c in starts}, 1)
    blocks = []
    for position, (number, _) in enumerate(starts):
        end = starts[position + 1][0] if position + 1 < len(starts) else len(table.rows)
        blocks.append((number, [row for row in table.rows[number:end]
                                if any(clean(cell) for cell in row)]))
    try:
        columns = bureau_columns([block[0] for _, block in blocks],
                                 [block for _, block in blocks], code)
    except ImportFailed as exception:
        raise ImportFailed(f'{table.source}: {exception}') from None
    if columns.address is None:
        raise ImportFailed(f'{table.source}: no column of addresses (〒 and a postal code '
                           f'before the address) in the {TITLE}')
    records = []
    for number, block in blocks:
        width = max(len(row) for row in block) + 1
        block = [row + [''] * (width - len(row)) for row in block]
        first = block[0]

        def cell(column: int | None, row: list[str] = first) -> str:
            return clean(row[column]) if column is not None else ''

        record = Record(f'{table.source}:{number + 1}', block,
                        code=re.sub(r'\D', '', _first_line(first[columns.code])),
                        name=cell(columns.name), from_bureau=True)
        address = cell(columns.address)
        match = _POSTAL_IN_ADDRESS.match(address)
        if match:
            record.postal_code = match.group(1) + match.group(2)
            address = match.group(3).strip()
        if prefecture and not address.startswith(prefecture):
            address = prefecture + address
        record.address = address
        record.manager_name = cell(columns.manager)
        departments = []
        for row in block:
            departments += departments_of(cell(columns.departments, row))
        record.departments = list(dict.fromkeys(departments))
        labels = [cell(columns.kind, row) for row in block] + \
            [cell(columns.status, row) for row in block]
        if '休止' in labels:
            record.problem = '休止 (suspended) in the list'
        listed = next((k for k in (type_of(label) for label in labels
                                   if label not in STATUSES) if k), None)
        if '歯科' in kind or '歯科' in table.name:
            record.type = DENTAL
        elif listed:
            record.type = listed
        elif any('薬局' in label for label in labels) or '薬局' in kind:
            record.problem = record.problem or '薬局 (a pharmacy) is not a medical institution'
        else:
            record.problem = record.problem or 'no kind (病院 or 診療所) in the list'
        if not record.postal_code:
            record.problem = record.problem or 'no postal code (〒) at the start of the address'
        records.append(record)
    return records


# --- 医療情報ネット (ナビイ) -----------------------------------------------------------------------

NAVII_FACILITY = ('ID', '正式名称', '所在地')
NAVII_HOURS = ('ID', '診療科目名')
NAVII_TYPES = {'01-1_hospital_facility_info': HOSPITAL, '02-1_clinic_facility_info': CLINIC,
               '03-1_dental_facility_info': DENTAL}


def _header(table: Table) -> list[str]:
    return [clean(cell) for cell in table.rows[0]] if table.rows else []


def is_navii_facility(table: Table) -> bool:
    return set(NAVII_FACILITY) <= set(_header(table))


def is_navii_hours(table: Table) -> bool:
    return set(NAVII_HOURS) <= set(_header(table)) and '正式名称' not in _header(table)


def read_navii_hours(table: Table) -> dict[str, list[str]]:
    header = _header(table)
    ids, names = header.index('ID'), header.index('診療科目名')
    found: dict[str, list[str]] = {}
    for row in table.rows[1:]:
        if len(row) > max(ids, names) and clean(row[ids]):
            found.setdefault(clean(row[ids]), []).extend(departments_of(row[names]))
    return {key: list(dict.fromkeys(value)) for key, value in found.items()}


def read_navii_facility(table: Table) -> list[Record]:
    # The kind is in the published name of the CSV, or of the zip it came in.
    names = [table.name] + [part.rsplit('/', 1)[-1] for part in table.source.split('!')]
    kind = next((value for prefix, value in NAVII_TYPES.items()
                 for name in names if name.startswith(prefix)), None)
    if kind is None:
        raise ImportFailed(
            f'{table.source}: a 医療情報ネット facility file whose name does not say its kind: '
            f'keep the published name (01-1_hospital_facility_info_…, '
            f'02-1_clinic_facility_info_…, 03-1_dental_facility_info_…)')
    header = _header(table)
    columns = {name: header.index(name) for name in NAVII_FACILITY}
    records = []
    for number, row in enumerate(table.rows[1:], start=2):
        if not any(clean(cell) for cell in row):
            continue
        padded = row + [''] * len(header)
        records.append(Record(f'{table.source}:{number}', [row],
                              code=clean(padded[columns['ID']]),
                              name=clean(padded[columns['正式名称']]), type=kind,
                              address=clean(padded[columns['所在地']])))
    return records


# --- a column mapping ------------------------------------------------------------------------

@dataclass
class MappingLayout:
    """``field: column header`` from a small YAML file, for a list in any other layout."""

    path: str
    columns: dict[str, str]

    def header_row(self, table: Table) -> int:
        wanted = {clean(header) for header in self.columns.values()}
        for number, row in enumerate(table.rows[:30]):
            if wanted <= {clean(cell) for cell in row}:
                return number
        present = {clean(cell) for row in table.rows[:30] for cell in row}
        missing = next((f for f, header in self.columns.items() if clean(header) not in present),
                       None)
        if missing is None:   # each header is in some row, but no row has them all
            raise ImportFailed(f'{table.source}: no row of the first 30 has every column of '
                               f'{self.path} ({", ".join(map(repr, self.columns.values()))})')
        raise ImportFailed(f'{table.source}: no column {self.columns[missing]!r} (the '
                           f'{missing} of {self.path}) in the first 30 rows')

    def read(self, table: Table) -> list[Record]:
        at = self.header_row(table)
        header = [clean(cell) for cell in table.rows[at]]
        index = {name: header.index(clean(column)) for name, column in self.columns.items()}
        records = []
        for number, row in enumerate(table.rows[at + 1:], start=at + 2):
            if not any(clean(cell) for cell in row):
                continue
            padded = row + [''] * len(header)
            values = {name: clean(padded[column]) for name, column in index.items()}
            record = Record(f'{table.source}:{number}', [row])
            for name in ('code', 'name', 'postal_code', 'address', 'manager_title',
                         'manager_name'):
                setattr(record, name, values.get(name, ''))
            record.postal_code = re.sub(r'[-‐－−ー〒\s]', '', record.postal_code)
            record.departments = departments_of(values.get('departments', ''))
            kind = type_of(values.get('type', ''))
            if kind is None:
                record.problem = (f'type {values.get("type", "")!r} is none of 病院, 診療所, '
                                  f'歯科')
            else:
                record.type = kind
            records.append(record)
        return records


def load_mapping(path) -> MappingLayout:
    from pathlib import Path

    import yaml
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding='utf-8'))
    except OSError as exception:
        raise ImportFailed(f'{path}: cannot be read ({exception.strerror})') from None
    except (yaml.YAMLError, UnicodeDecodeError) as exception:
        raise ImportFailed(f'{path}: not YAML ({str(exception).splitlines()[0]})') from None
    if not isinstance(data, dict) or not data:
        raise ImportFailed(f'{path}: a mapping is `field: column header` lines (fields: '
                           f'{", ".join(FIELDS)})')
    for key, value in data.items():
        if key not in FIELDS:
            raise ImportFailed(f'{path}: unknown field {key!r}; the fields are '
                               f'{", ".join(FIELDS)}')
        if not isinstance(value, (str, int)) or not str(value).strip():
            raise ImportFailed(f'{path}: {key}: the column header must be text')
    missing = [name for name in REQUIRED_MAPPED if name not in data]
    if missing:
        raise ImportFailed(f'{path}: the required field {missing[0]!r} is not mapped to a '
                           f'column (required: {", ".join(REQUIRED_MAPPED)})')
    return MappingLayout(str(path), {key: str(value) for key, value in data.items()})
