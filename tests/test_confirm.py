"""The 照会 round: export forms and proofs, answer them, import the answers, build again."""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from openpyxl import load_workbook

from conftest import ROOT, copy_project, run_cli

NOTICE = '2024-10-08-onestop'
KANAGAWA = 'forms/14-kanagawa.xlsx'
OLD_NUMBER, NEW_NUMBER = '045-322-7379', '045-322-7380'
FORM_ERROR = re.compile(r'^(?P<path>[^:\n]+\.xlsx):照会!(?P<cell>[A-L]\d+): error: (?P<message>.+)$',
                        re.MULTILINE)


def tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob('*')):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


def pdf_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return '\n'.join(page.extract_text() or '' for page in pdf.pages)


@pytest.fixture(scope='module')
def exported(tmp_path_factory):
    """A copy of the project and its forms for Tokyo and Kanagawa, exported once."""
    base = tmp_path_factory.mktemp('confirm')
    root = copy_project(base / 'project')
    result = run_cli('confirm', 'export', '--out', str(base / 'forms'), '-p', '13', '-p', '14',
                     root=root)
    assert result.returncode == 0, result.stderr
    assert '2 forms and 2 proof sheets' in result.stdout
    return root, base / 'forms'


def rows_by_id(sheet) -> dict[str, int]:
    return {sheet[f'A{row}'].value: row for row in range(7, sheet.max_row + 1)
            if sheet[f'A{row}'].value}


def fill(path: Path, answers: dict[str, tuple], person='健康医療局 山田',
         day='2026-12-10', edit=None) -> None:
    """Answer rows of the form at ``path`` as a prefecture would, in openpyxl."""
    workbook = load_workbook(path)
    sheet = workbook['照会']
    ids = rows_by_id(sheet)
    for fact, (answer, correction) in answers.items():
        row = ids[fact]
        sheet[f'H{row}'], sheet[f'I{row}'] = answer, correction
        sheet[f'J{row}'], sheet[f'K{row}'] = person, day
    if edit:
        edit(sheet, ids)
    workbook.save(path)


KANAGAWA_ANSWERS = {
    'centers[0].name': ('正', None),
    'centers[0].url': ('正', None),
    'centers[0].phones[0].number': ('訂正', '０４５－３２２－７３８０'),   # full-width, as typed
    'centers[0].phones[1].number': ('正', None),
    'departments.health.name': ('訂正', '神奈川県健康医療局'),
    'departments.health.postal_code': ('訂正', '2318588'),
    'departments.health.address': ('訂正', '神奈川県横浜市中区日本大通1'),
}


def test_the_form_lists_every_fact_with_answer_columns_only_open(exported):
    root, forms = exported
    sheet = load_workbook(forms / '13-tokyo.xlsx')['照会']
    assert (sheet['B2'].value, sheet['D2'].value, sheet['B3'].value) == ('13', '東京都', '2026-11')
    ids = rows_by_id(sheet)
    # Numbers, hours, center names, URLs; the departments' rows are there though empty.
    for fact in ('centers[0].name', 'centers[0].url', 'centers[0].phones[0].number',
                 'centers[0].phones[0].hours', 'centers[1].phones[1].number',
                 'departments.health.name', 'departments.health.postal_code',
                 'departments.center.address'):
        assert fact in ids, fact
    number = ids['centers[0].phones[0].number']
    assert sheet[f'D{number}'].value == '03-5607-0799'
    assert sheet[f'E{number}'].value == '印刷しない'
    assert '3年より古い（2015-07-10' in sheet[f'F{number}'].value
    disputed = ids['centers[1].phones[1].number']
    assert sheet[f'F{disputed}'].value == '出典不一致'
    health = ids['departments.health.name']
    assert sheet[f'D{health}'].value is None and sheet[f'E{health}'].value == '未登録'
    assert '東京都衛生主管部（局）' in sheet[f'F{health}'].value
    # Protected, with only the answer columns unlocked, and a list of the three answers.
    assert sheet.protection.sheet
    assert not sheet[f'H{number}'].protection.locked and not sheet[f'K{number}'].protection.locked
    assert sheet[f'D{number}'].protection.locked and sheet[f'L{number}'].protection.locked
    lists = [v for v in sheet.data_validations.dataValidation if v.type == 'list']
    assert lists[0].formula1 == '"正,誤,訂正"' and f'H{number}' in lists[0].sqref
    # The proof sheet beside it shows the same prefecture's facts.
    assert '東京都' in pdf_text(forms / 'proof' / '13-tokyo.pdf')


def test_rows_say_what_the_leaflet_prints():
    """The form's 印刷する rows are exactly the facts the leaflet prints, for every prefecture."""
    from noticegen.confirm.rows import PRINTED, rows
    from noticegen.load.project import load_project
    from noticegen.model.facts import as_of_date, printing
    project = load_project(ROOT)
    judge = project.judge(as_of_date(project.national.valid_as_of))
    notices = [n.notice for n in project.notices]
    for code, data in project.prefectures.items():
        found = rows(data.prefecture, notices, judge)
        printed = printing(data.prefecture, judge)
        shown = sorted((row.what, row.value) for row in found if row.state == PRINTED
                       and row.what in ('センター名', '電話'))
        expected = sorted((fact.what, fact.value) for fact in printed.facts
                          if fact.what in ('センター名', '電話'))
        assert shown == expected, code
        hours = sum(row.state == PRINTED for row in found if row.what == '受付時間')
        assert hours == sum(fact.what == '受付時間' for fact in printed.facts), code


def test_two_exports_are_byte_identical(exported, tmp_path):
    root, forms = exported
    again = tmp_path / 'again'
    result = run_cli('confirm', 'export', '--out', str(again), '-p', '13', '-p', '14', root=root)
    assert result.returncode == 0, result.stderr
    names = sorted(str(p.relative_to(forms)) for p in forms.rglob('*') if p.is_file())
    assert names == ['13-tokyo.xlsx', '14-kanagawa.xlsx', 'proof/13-tokyo.pdf',
                     'proof/14-kanagawa.pdf']
    for name in names:
        assert (again / name).read_bytes() == (forms / name).read_bytes(), name
    # Dated from the data's as-of (valid_as_of 2026-11: 2026-11-30), inside and on the zip.
    with zipfile.ZipFile(forms / '13-tokyo.xlsx') as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 11, 30, 0, 0, 0)}
        core = archive.read('docProps/core.xml').decode()
    assert core.count('2026-11-30T00:00:00Z') == 2


def test_export_keeps_answered_forms(exported, tmp_path):
    root, forms = exported
    out = tmp_path / 'forms'
    shutil.copytree(forms, out)
    fill(out / '14-kanagawa.xlsx', {'centers[0].name': ('正', None)})
    answered = (out / '14-kanagawa.xlsx').read_bytes()
    result = run_cli('confirm', 'export', '--out', str(out), '-p', '14', root=root)
    assert result.returncode == 1
    assert 'holds answers' in result.stderr and '--force' in result.stderr
    assert (out / '14-kanagawa.xlsx').read_bytes() == answered


def test_the_round_trip(exported, tmp_path):
    """Export, answer, import, build: the corrected number prints, the old one does not."""
    _, forms = exported
    root = copy_project(tmp_path / 'project')
    shutil.copytree(forms, tmp_path / 'forms')
    fill(tmp_path / KANAGAWA, KANAGAWA_ANSWERS)
    source = root / 'prefectures' / '14-kanagawa.yaml'
    before = source.read_text(encoding='utf-8')
    national_before = (root / 'prefectures' / 'national.yaml').read_text(encoding='utf-8')

    result = run_cli('confirm', 'import', '--as-of', '2026-12-15', KANAGAWA, root=root,
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    diff = result.stdout
    assert '--- a/prefectures/14-kanagawa.yaml' in diff
    assert f'-  - number: {OLD_NUMBER}\n' in diff and f'+  - number: {NEW_NUMBER}\n' in diff
    assert "+    source: 都道府県回答 2026-12-10（健康医療局 山田）\n" in diff
    assert "+    as_of: '2026-12-10'\n" in diff
    assert '-valid_as_of: 2026-11\n+valid_as_of: 2026-12-15\n' in diff
    assert '+  health:\n+    name: 神奈川県健康医療局\n+    postal_code: 231-8588\n' in diff
    assert 'not answered (46): 01 北海道' in diff and '13 東京都' in diff

    after = source.read_text(encoding='utf-8')
    assert after != before
    # Comments, key order and quoting kept: every line the diff does not name is untouched.
    comments = [line for line in before.splitlines() if line.startswith('#')]
    assert comments and comments == [line for line in after.splitlines() if line.startswith('#')]
    assert "code: '14'" in after and after.index('code:') < after.index('name:') < \
        after.index('centers:')
    kept = [line for line in before.splitlines() if f'-{line}\n' not in diff]
    assert all(line in after.splitlines() for line in kept)
    # The hours rested on the old source, which the answer replaced: they keep it.
    assert "    hours_source: http://www.pref.kanagawa.jp/docs/f5g/cnt/f520370/p1163001.html" \
        in after
    national_after = (root / 'prefectures' / 'national.yaml').read_text(encoding='utf-8')
    assert national_after == national_before.replace('valid_as_of: 2026-11\n',
                                                     'valid_as_of: 2026-12-15\n')

    out = tmp_path / 'dist'
    built = run_cli('build', '--out', str(out), '-p', '14', '--lang', 'none', '--jobs', '1',
                    root=root)
    assert built.returncode == 0, built.stderr
    proof = run_cli('proof', '--out', str(out), '-p', '14', '--jobs', '1', root=root)
    assert proof.returncode == 0, proof.stderr
    for document in ('leaflets/14-kanagawa.pdf', 'proof/14-kanagawa.pdf'):
        text = pdf_text(out / NOTICE / document)
        assert NEW_NUMBER in text and OLD_NUMBER not in text, document
    assert '都道府県回答 2026-12-10（健康医療局 山田）' in pdf_text(out / NOTICE / 'proof/14-kanagawa.pdf')
    # The department named in the answer now heads the cover.
    assert '神奈川県健康医療局' in pdf_text(out / NOTICE / 'covers/14-kanagawa.pdf')


def set_cell(cell: str, value):
    def edit(sheet, ids):
        sheet[cell] = value
    return edit


def on_row(fact: str, column: str, value):
    def edit(sheet, ids):
        sheet[f'{column}{ids[fact]}'] = value
    return edit


BAD_FORMS = {
    'edited id': ({'centers[0].name': ('正', None)},
                  on_row('centers[0].name', 'A', 'centers[1].name'), 'A', 'the ID was changed'),
    'edited value': ({'centers[0].phones[0].number': ('正', None)},
                     on_row('centers[0].phones[0].number', 'D', NEW_NUMBER), 'D',
                     'the value was changed'),
    'edited checksum': ({}, on_row('centers[0].name', 'L', '0000000000000000'), 'L',
                        'the checksum does not match'),
    'future date': ({'centers[0].phones[1].number': ('正', None)},
                    on_row('centers[0].phones[1].number', 'K', '2026-12-20'), 'K',
                    'after --as-of 2026-12-15'),
    'malformed phone number': ({'centers[0].phones[0].number': ('訂正', '045-322')}, None, 'I',
                               'expected a Japanese phone number'),
    'unknown postal code': ({'departments.health.name': ('訂正', '神奈川県健康医療局'),
                             'departments.health.postal_code': ('訂正', '999-9999')}, None, 'I',
                            "not a postal code in Japan Post's data"),
    'postal code of another prefecture': (
        {'departments.health.name': ('訂正', '神奈川県健康医療局'),
         'departments.health.postal_code': ('訂正', '163-8001')}, None, 'I',
        'is in 東京都新宿区, not in 神奈川県'),
    'not one of the answers': ({'centers[0].name': ('はい', None)}, None, 'H',
                               'expected 正, 誤 or 訂正'),
    'a source answered in part': ({'centers[0].name': ('正', None)}, None, 'H',
                                  'answer this row too'),
}


@pytest.mark.parametrize('case', sorted(BAD_FORMS))
def test_a_bad_form_is_rejected_at_its_cell_and_changes_nothing(exported, tmp_path, case):
    root, forms = exported
    answers, edit, column, words = BAD_FORMS[case]
    (tmp_path / 'forms').mkdir()
    shutil.copy(forms / '14-kanagawa.xlsx', tmp_path / KANAGAWA)
    fill(tmp_path / KANAGAWA, answers, edit=edit)
    before = tree_hash(root / 'prefectures')
    result = run_cli('confirm', 'import', '--as-of', '2026-12-15', KANAGAWA, root=root,
                     cwd=tmp_path)
    assert result.returncode == 1, result.stdout
    errors = [m.groupdict() for m in FORM_ERROR.finditer(result.stderr)]
    assert errors, result.stderr
    assert errors[0]['path'] == KANAGAWA and errors[0]['cell'][0] == column, result.stderr
    assert words in errors[0]['message'], result.stderr
    assert 'nothing was changed' in result.stderr
    assert 'Traceback' not in result.stderr
    assert tree_hash(root / 'prefectures') == before


def test_a_form_from_another_prefecture_is_rejected(exported, tmp_path):
    root, forms = exported
    (tmp_path / 'forms').mkdir()
    # Tokyo's form, saved under Kanagawa's name.
    shutil.copy(forms / '13-tokyo.xlsx', tmp_path / KANAGAWA)
    # And in Kanagawa's own form, a row pasted from Tokyo's.
    shutil.copy(forms / '14-kanagawa.xlsx', tmp_path / 'forms/kanagawa-answers.xlsx')
    tokyo = load_workbook(forms / '13-tokyo.xlsx')['照会']

    def paste(sheet, ids):
        for column in 'ABCDEFGL':
            sheet[f'{column}7'] = tokyo[f'{column}7'].value
    fill(tmp_path / 'forms/kanagawa-answers.xlsx', {}, edit=paste)
    before = tree_hash(root / 'prefectures')
    result = run_cli('confirm', 'import', '--as-of', '2026-12-15', KANAGAWA,
                     'forms/kanagawa-answers.xlsx', root=root, cwd=tmp_path)
    assert result.returncode == 1
    errors = {(m['path'], m['cell']): m['message'] for m in FORM_ERROR.finditer(result.stderr)}
    assert 'another prefecture' in errors[KANAGAWA, 'B2']
    assert 'comes from the form of 13 東京都' in errors['forms/kanagawa-answers.xlsx', 'L7']
    assert tree_hash(root / 'prefectures') == before


def test_several_bad_forms_are_all_reported_before_anything_changes(exported, tmp_path):
    """A good form and a bad one: the good one is not applied either."""
    root, forms = exported
    shutil.copytree(forms, tmp_path / 'forms')
    fill(tmp_path / KANAGAWA, KANAGAWA_ANSWERS)
    fill(tmp_path / 'forms/13-tokyo.xlsx', {'centers[0].phones[0].number': ('訂正', '03-1')})
    before = tree_hash(root / 'prefectures')
    result = run_cli('confirm', 'import', '--as-of', '2026-12-15', KANAGAWA,
                     'forms/13-tokyo.xlsx', root=root, cwd=tmp_path)
    assert result.returncode == 1
    assert FORM_ERROR.search(result.stderr)['path'] == 'forms/13-tokyo.xlsx'
    assert tree_hash(root / 'prefectures') == before


def test_as_of_is_required_and_never_older_than_the_data(exported, tmp_path):
    root, forms = exported
    result = run_cli('confirm', 'import', str(forms / '14-kanagawa.xlsx'), root=root)
    assert result.returncode == 2 and '--as-of' in result.stderr
    result = run_cli('confirm', 'import', '--as-of', '2026-10-31', str(forms / '14-kanagawa.xlsx'),
                     root=root)
    assert result.returncode == 2 and 'before the data\'s valid_as_of 2026-11' in result.stderr


def test_wrong_answers_withhold_and_the_dry_run_changes_nothing(exported, tmp_path):
    """誤 on a number makes it disputed (it stops printing); --dry-run shows, writes nothing."""
    root, forms = exported
    shutil.copytree(forms, tmp_path / 'forms')
    fill(tmp_path / KANAGAWA, {'centers[0].phones[1].number': ('誤', None),
                               'centers[0].phones[1].hours': ('誤', None)})
    before = tree_hash(root / 'prefectures')
    result = run_cli('confirm', 'import', '--dry-run', '--as-of', '2026-12-15', KANAGAWA,
                     root=root, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert '+    status: disputed\n' in result.stdout
    assert '+    status_note: 都道府県回答 2026-12-10（健康医療局 山田）：電話に誤りとの回答（訂正なし）' \
        in result.stdout
    assert '-    hours: 毎週火曜 16:00〜20:00（祝休日・年末年始除く）\n' in result.stdout
    assert 'dry run: nothing was changed.' in result.stdout
    assert tree_hash(root / 'prefectures') == before


def test_an_edit_keeps_every_other_byte(tmp_path):
    """The in-place editor: one value replaced, one key removed, one added; nothing else."""
    from noticegen.confirm.edit import Edits
    from noticegen.load.sources import load_yaml
    path = tmp_path / 'x.yaml'
    path.write_text("# a comment\ncode: '13'   # kept\nitems:\n- number: 03-1234-5678\n"
                    "  note: 'long\n    folded'\n  as_of: '2020-01-01'\nlast: x\n",
                    encoding='utf-8')
    source, errors = load_yaml(path)
    assert not errors
    edits = Edits(source)
    edits.set(('items', 0, 'number'), '03-1234-0000')
    edits.delete(('items', 0, 'note'))
    edits.set(('items', 0, 'source'), '都道府県回答 2026-12-10', after='number')
    edits.set(('items', 0, 'as_of'), '2026-12-10')
    assert edits.result() == ("# a comment\ncode: '13'   # kept\nitems:\n- number: 03-1234-0000\n"
                              "  source: 都道府県回答 2026-12-10\n  as_of: '2026-12-10'\nlast: x\n")


def test_blank_forms_change_nothing(exported, tmp_path):
    """Forms sent back unanswered: no fact changes, and the data is no newer than it was."""
    root, forms = exported
    before = tree_hash(root / 'prefectures')
    result = run_cli('confirm', 'import', '--as-of', '2026-12-15', str(forms / '13-tokyo.xlsx'),
                     str(forms / '14-kanagawa.xlsx'), root=root)
    assert result.returncode == 0, result.stderr
    assert 'no answers in the forms: nothing was changed.' in result.stdout
    assert 'not answered (47)' in result.stdout and '---' not in result.stdout
    assert tree_hash(root / 'prefectures') == before


def form_of(root: Path, code: str, folder: Path) -> Path:
    """The form ``confirm export`` writes for ``code`` (without its proof sheet)."""
    from noticegen.confirm.form import write_form
    from noticegen.confirm.round import current_rows, form_name
    from noticegen.load.project import load_project
    from noticegen.model.facts import as_of_date
    project = load_project(root)
    path = folder / f'{form_name(project, code)}.xlsx'
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(write_form(code, project.prefectures[code].prefecture.name,
                                project.national.valid_as_of,
                                as_of_date(project.national.valid_as_of),
                                current_rows(project)[code]))
    return path


def test_departments_are_confirmed_corrected_added_and_removed(tmp_path):
    from datetime import date, datetime

    from noticegen.confirm.round import import_answers
    from noticegen.load.project import load_project
    from noticegen.model.addressing import recipients
    root = copy_project(tmp_path / 'project')
    path = root / 'prefectures' / '13-tokyo.yaml'
    path.write_text(path.read_text(encoding='utf-8') + (
        'departments:\n'
        '  health:   # from the research leads\n'
        '    name: 東京都保健医療局医療政策部\n'
        "    postal_code: '163-8002'\n"
        '    address: 東京都新宿区西新宿二丁目8番1号\n'
        '    source: テスト用の架空のデータ\n'
        "    as_of: '2026-04-01'\n"), encoding='utf-8')
    form = form_of(root, '13', tmp_path / 'forms')
    fill(form, {'departments.health.name': ('正', None),
                'departments.health.postal_code': ('訂正', '１６３８００１'),
                'departments.health.address': ('正', None),
                'departments.center.name': ('訂正', '東京都生活文化スポーツ局'),
                'departments.center.postal_code': ('訂正', '163-8001'),
                'departments.center.address': ('訂正', '東京都新宿区西新宿２丁目８番１号')},
         person='総務局 佐藤')
    result = import_answers(root, date(2026, 12, 15), [form])
    assert result.changed == ['prefectures/13-tokyo.yaml', 'prefectures/national.yaml']
    text = path.read_text(encoding='utf-8')
    assert text.endswith(
        'departments:\n'
        '  health:   # from the research leads\n'
        '    name: 東京都保健医療局医療政策部\n'
        "    postal_code: '163-8001'\n"          # its quoting kept
        '    address: 東京都新宿区西新宿二丁目8番1号\n'
        '    source: 都道府県回答 2026-12-10（総務局 佐藤）\n'
        "    as_of: '2026-12-10'\n"
        '  center:\n'
        '    name: 東京都生活文化スポーツ局\n'
        '    postal_code: 163-8001\n'
        '    address: 東京都新宿区西新宿２丁目８番１号\n'    # as written: never normalised
        '    source: 都道府県回答 2026-12-10（総務局 佐藤）\n'
        "    as_of: '2026-12-10'\n")
    project = load_project(root)
    judge = project.judge(date(2026, 12, 15))
    found = recipients(project.notices[0].notice, project.prefectures['13'].prefecture, judge)
    assert [(r.name, r.postal_code) for r in found] == [
        ('東京都保健医療局医療政策部', '163-8001'), ('東京都生活文化スポーツ局', '163-8001')]

    # The next round: the health department was named wrongly; it goes, the generic line prints.
    form = form_of(root, '13', tmp_path / 'round-2')
    fill(form, {'departments.health.name': ('誤', None),
                'departments.health.postal_code': ('誤', None),
                'departments.health.address': ('誤', None)},
         day=datetime(2027, 1, 10))     # a date typed in Excel: a date cell, not text
    import_answers(root, date(2027, 1, 15), [form])
    text = path.read_text(encoding='utf-8')
    assert 'health:' not in text and '医療政策部' not in text and '  center:\n' in text
    project = load_project(root)
    found = recipients(project.notices[0].notice, project.prefectures['13'].prefecture,
                       project.judge(date(2027, 1, 15)))
    assert found[0].name == '東京都衛生主管部（局）'


def test_an_address_outside_the_postal_codes_city_is_refused(tmp_path):
    from datetime import date

    from noticegen.confirm.round import FormsRejected, import_answers
    root = copy_project(tmp_path / 'project')
    form = form_of(root, '13', tmp_path / 'forms')
    fill(form, {'departments.health.name': ('訂正', '東京都保健医療局'),
                'departments.health.postal_code': ('訂正', '163-8001'),
                'departments.health.address': ('訂正', '東京都千代田区霞が関1-2-2')})
    with pytest.raises(FormsRejected) as rejected:
        import_answers(root, date(2026, 12, 15), [form], display=lambda p: 'forms/13-tokyo.xlsx')
    [error] = rejected.value.errors
    assert str(error).startswith('forms/13-tokyo.xlsx:照会!I')
    assert 'not in 東京都新宿区' in error.message


def test_an_answer_to_data_changed_since_the_export_is_refused(exported, tmp_path):
    """The data moved on after the export: an answer about the old value is refused; answers
    about facts that did not change still apply."""
    _, forms = exported
    root = copy_project(tmp_path / 'project')
    source = root / 'prefectures' / '14-kanagawa.yaml'
    source.write_text(source.read_text(encoding='utf-8').replace(OLD_NUMBER, '045-322-7381'),
                      encoding='utf-8')
    (tmp_path / 'forms').mkdir()
    shutil.copy(forms / '14-kanagawa.xlsx', tmp_path / KANAGAWA)
    fill(tmp_path / KANAGAWA, {'centers[0].phones[0].number': ('正', None)})
    before = tree_hash(root / 'prefectures')
    result = run_cli('confirm', 'import', '--as-of', '2026-12-15', KANAGAWA, root=root,
                     cwd=tmp_path)
    assert result.returncode == 1
    error = FORM_ERROR.search(result.stderr)
    assert error['cell'].startswith('D') and 'changed since the form was exported' in \
        error['message'] and '045-322-7381' in error['message']
    assert tree_hash(root / 'prefectures') == before

    shutil.copy(forms / '14-kanagawa.xlsx', tmp_path / KANAGAWA)
    fill(tmp_path / KANAGAWA, {'centers[0].phones[1].number': ('正', None)})
    result = run_cli('confirm', 'import', '--as-of', '2026-12-15', KANAGAWA, root=root,
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert '045-322-7381' in source.read_text(encoding='utf-8')
    assert '1 prefecture answered (1 answer)' in result.stdout


def test_all_47_prefectures_confirm_everything_in_one_import(tmp_path):
    """Every form answered 正 on every row with a value: one import, and every one of those
    facts prints; no line the answers do not touch changes, in any file."""
    from datetime import date

    from noticegen.confirm.round import current_rows, import_answers
    from noticegen.load.project import load_project
    root = copy_project(tmp_path / 'project')
    before = {path.name: path.read_text(encoding='utf-8')
              for path in (root / 'prefectures').glob('[0-4][0-9]-*.yaml')}
    forms, with_facts = [], []
    for code in load_project(root).prefectures:
        form = form_of(root, code, tmp_path / 'forms')
        workbook = load_workbook(form)
        sheet = workbook['照会']
        for row in range(7, sheet.max_row + 1):
            if sheet[f'D{row}'].value:
                sheet[f'H{row}'], sheet[f'J{row}'], sheet[f'K{row}'] = '正', '担当', '2026-12-10'
                with_facts += [code] if code not in with_facts else []
        workbook.save(form)
        forms.append(form)
    result = import_answers(root, date(2026, 12, 15), forms)
    # A prefecture whose data holds no center yet has only the empty department rows.
    assert result.answered == with_facts and len(with_facts) >= 40
    assert len(result.not_answered) == 47 - len(with_facts)
    project = load_project(root)      # every file still valid
    assert project.national.valid_as_of == '2026-12-15'
    for code, found in current_rows(project, date(2026, 12, 15)).items():
        for row in found:
            if row.value and row.what in ('センター名', '電話', 'URL・QRコード'):
                assert row.state == '印刷する', (code, row.id)
    # Apart from the keys an answer writes, every file holds the same data and comments.
    touched = {'status', 'status_note', 'retrieved', 'source', 'as_of', 'hours_source',
               'hours_as_of'}

    def untouched(value):
        if isinstance(value, dict):
            return {key: untouched(item) for key, item in value.items() if key not in touched}
        if isinstance(value, list):
            return [untouched(item) for item in value]
        return value
    import yaml
    for name, text in before.items():
        after = (root / 'prefectures' / name).read_text(encoding='utf-8')
        assert untouched(yaml.safe_load(after)) == untouched(yaml.safe_load(text)), name
        assert [line for line in after.splitlines() if line.startswith('#')] == \
            [line for line in text.splitlines() if line.startswith('#')], name


def test_a_damaged_sheet_is_one_error_at_the_file(exported, tmp_path):
    """A form whose sheet XML is cut short: openpyxl's ParseError was 'a bug in noticegen'."""
    root, forms = exported
    (tmp_path / 'forms').mkdir()
    with zipfile.ZipFile(forms / '14-kanagawa.xlsx') as source, \
            zipfile.ZipFile(tmp_path / KANAGAWA, 'w') as damaged:
        for member in source.infolist():
            data = source.read(member)
            if member.filename.startswith('xl/worksheets/'):
                data = data[:len(data) // 2]
            damaged.writestr(member, data)
    before = tree_hash(root / 'prefectures')
    result = run_cli('confirm', 'import', '--as-of', '2026-12-15', KANAGAWA, root=root,
                     cwd=tmp_path)
    assert result.returncode == 1, result.stdout
    assert 'Traceback' not in result.stderr and 'a bug in noticegen' not in result.stderr
    assert f'{KANAGAWA}: error: not an XLSX file that can be read' in result.stderr
    assert tree_hash(root / 'prefectures') == before


def test_a_stray_cell_far_down_is_read_without_a_cell_per_row(exported, tmp_path):
    """A value typed far below the form (or a format over whole columns) gives the sheet a
    huge dimension: reading each row up to it made a cell object per row and column (at
    row 1,048,576: 94 s and 3.3 GB). The form is streamed instead; its answers still count."""
    import tracemalloc

    from noticegen.confirm.form import read_form
    root, forms = exported
    form = tmp_path / '14-kanagawa.xlsx'
    shutil.copy(forms / '14-kanagawa.xlsx', form)
    fill(form, {'centers[0].phones[1].number': ('正', None)},
         edit=set_cell('M100000', 'メモ'))
    tracemalloc.start()
    try:
        read = read_form(form, str(form))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 30_000_000, f'{peak:,} bytes to read one form'
    answered = [row for row in read.rows if row.answer]
    assert [(row.answer, row.person) for row in answered] == [('正', '健康医療局 山田')]
    assert read.code == '14' and read.rows[-1].number < 100


def test_a_value_that_looks_like_a_formula_stays_text_in_the_form(tmp_path):
    """openpyxl writes a str starting '=' as a formula; a form sent to a prefecture must
    show the data as text, never run it."""
    root = copy_project(tmp_path / 'project')
    path = root / 'prefectures' / '14-kanagawa.yaml'
    text = path.read_text(encoding='utf-8')
    label = re.search(r'\n    label: (.+)\n', text)[1]
    path.write_text(text.replace(f'    label: {label}\n',
                                 "    label: '=HYPERLINK(\"http://example.com/\",\"相談\")'\n", 1),
                    encoding='utf-8')
    result = run_cli('confirm', 'export', '--out', str(tmp_path / 'forms'), '-p', '14',
                     root=root)
    assert result.returncode == 0, result.stderr
    sheet = load_workbook(tmp_path / 'forms' / '14-kanagawa.xlsx')['照会']
    cells = [cell for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str) and cell.value.startswith('=HYPERLINK')]
    assert cells and all(cell.data_type == 's' for cell in cells)
