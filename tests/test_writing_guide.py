"""docs/writing-a-notice.en.md, followed literally: each Run block is run, each file created,
each key added or replaced, and the notice is built after every step. Also: `new notice`
and `schema` on their own."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pdfplumber

from conftest import ROOT, normalize

GUIDE = ROOT / 'docs' / 'writing-a-notice.en.md'
BLOCK = re.compile(r'^(?P<lead>[^\n]*)\n\n```(?P<lang>\w+)\n(?P<code>.*?)^```$', re.M | re.S)


def noticegen(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The `noticegen` of the guide: this checkout's CLI, run in ``cwd``."""
    return subprocess.run([sys.executable, str(ROOT / 'build.py'), *args], cwd=cwd,
                          capture_output=True, text=True, env={**os.environ})


def steps(text: str) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """The guide's steps: (heading, [(what, target, code)]) for the blocks it says to do."""
    found = []
    for section in re.split(r'^## ', text, flags=re.M)[1:]:
        heading = section.splitlines()[0]
        actions = []
        for match in BLOCK.finditer(section):
            lead, code = match.group('lead').strip(), match.group('code')
            if lead == 'Run:':
                actions.append(('run', '', code))
            elif created := re.fullmatch(r'Create `([^`]+)`:', lead):
                actions.append(('create', created.group(1), code))
            elif merged := re.fullmatch(r'In `([^`]+)`, add \(or replace\) these keys:', lead):
                actions.append(('merge', merged.group(1), code))
        found.append((heading, actions))
    return found


def merge_keys(path: Path, snippet: str) -> None:
    """Add the snippet's top-level keys to the YAML file, replacing those it has."""
    keys = re.findall(r'^([a-z_]+):', snippet, flags=re.M)
    kept, skipping = [], False
    for line in path.read_text(encoding='utf-8').splitlines(keepends=True):
        top = re.match(r'^([a-z_]+):', line)
        if top:
            skipping = top.group(1) in keys
        elif line.startswith('#'):
            skipping = False
        if not skipping:
            kept.append(line)
    path.write_text(''.join(kept) + snippet, encoding='utf-8')


def test_the_english_guide_followed_literally_builds_at_every_step(tmp_path):
    project = tmp_path / 'demo-project'
    project.mkdir()
    done = []
    for heading, actions in steps(GUIDE.read_text(encoding='utf-8')):
        for what, target, code in actions:
            if what == 'run':
                for command in code.splitlines():
                    assert command.startswith('noticegen '), command
                    result = noticegen(*command.split()[1:], cwd=project)
                    assert result.returncode == 0, (heading, command, result.stderr)
            elif what == 'create':
                path = project / target
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(code, encoding='utf-8')
            else:
                merge_keys(project / target, code)
        if actions:
            built = noticegen('build', cwd=project)
            assert built.returncode == 0, (heading, built.stderr)
            assert 'warning' not in built.stderr, (heading, built.stderr)
            done.append(heading)
    assert len(done) >= 9
    out = project / 'dist' / 'demo'
    assert sorted(p.name for p in out.iterdir()) == ['besshi-1.pdf', 'notice.pdf',
                                                      'yoshiki-1.pdf']
    with pdfplumber.open(out / 'notice.pdf') as pdf:
        text = normalize(''.join(page.extract_text() for page in pdf.pages))
    for expected in ('医政発0401第1号', '令和', '殿', '(写し)', '(公印省略)', '記', '第1',
                     '(ア)診療録', '書類ごとの保存期間', '(注)', '以上', '別紙', '別紙様式1',
                     '【照会先】', '03-5253-1111(代表)'):
        assert normalize(expected) in text, expected
    with pdfplumber.open(out / 'notice.pdf') as pdf:
        raw = ''.join(page.extract_text() for page in pdf.pages).replace(' ', '')
    assert '令和7年4月1日' in raw      # what the author wrote is never widened ...
    assert '第１' in raw and '（ア）' in raw   # ... the generated numerals are


def test_new_notice_in_a_project_writes_only_the_notice_and_refuses_to_overwrite(tmp_path):
    (tmp_path / 'noticegen.toml').write_text('', encoding='utf-8')
    result = noticegen('new', 'notice', 'second', cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ['noticegen.toml', 'notices']
    text = (tmp_path / 'notices' / 'second.yaml').read_text(encoding='utf-8')
    assert text.startswith('# yaml-language-server: $schema=../schemas/notices.schema.json\n')
    again = noticegen('new', 'notice', 'second', cwd=tmp_path)
    assert again.returncode == 2 and 'exists already' in again.stderr
    bad = noticegen('new', 'notice', 'Bad_Id', cwd=tmp_path)
    assert bad.returncode == 2 and 'is not a notice id' in bad.stderr
    # Outside a project, the other commands still say there is none.
    elsewhere = tmp_path.parent / f'{tmp_path.name}-elsewhere'
    elsewhere.mkdir()
    outside = noticegen('validate', cwd=elsewhere)
    assert outside.returncode == 2 and 'no noticegen project found' in outside.stderr


def test_the_committed_schemas_are_current_and_every_source_names_its_schema():
    result = noticegen('schema', '--check', cwd=ROOT)
    assert result.returncode == 0, result.stderr + result.stdout
    sources = [*ROOT.glob('notices/*.yaml'), *ROOT.glob('attachments/*/*.yaml'),
               *ROOT.glob('tests/notices/*/notices/*.yaml'),
               *ROOT.glob('tests/notices/*/attachments/*/*.yaml')]
    assert sources
    for path in sources:
        first = path.read_text(encoding='utf-8').splitlines()[0]
        match = re.fullmatch(r'# yaml-language-server: \$schema=(\S+)', first)
        assert match, path
        schema = (path.parent / match.group(1)).resolve()
        assert schema.is_file(), (path, schema)
        assert json.loads(schema.read_text(encoding='utf-8'))['$id'] == schema.name


def test_schema_check_fails_on_a_stale_schema_and_schema_rewrites_it(tmp_path):
    out = tmp_path / 'schemas'
    assert noticegen('schema', '--out', str(out), cwd=tmp_path).returncode == 0
    (out / 'notices.schema.json').write_text('{}\n', encoding='utf-8')
    stale = noticegen('schema', '--check', '--out', str(out), cwd=tmp_path)
    assert stale.returncode == 1 and 'notices.schema.json: not current' in stale.stderr
    assert noticegen('schema', '--out', str(out), cwd=tmp_path).returncode == 0
    assert noticegen('schema', '--check', '--out', str(out), cwd=tmp_path).returncode == 0
