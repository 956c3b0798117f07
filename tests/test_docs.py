"""The documentation is tested: every fenced shell block of README.md and docs/ is run.

Each document's blocks run in order, as a reader would run them, on a copy of the project (or
in an empty folder, for a guide that says `<!-- docs-test: run in an empty folder -->`), each
with a timeout. A block preceded by `<!-- docs-test: skip (REASON) -->` is not run; only
`./dev.sh test`, `serve`, multi-machine steps and benchmarks that fetch from PyPI may be skipped,
and every skip is reported (pytest's summary lists it with its reason). Benchmarks run at their
smallest sizes. The Japanese "change a number" recipe is followed command by command, and the
proof and the leaflet are read back for the new number.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest

from conftest import ROOT, normalize

DOCUMENTS = [ROOT / 'README.md', *sorted((ROOT / 'docs').glob('*.md'))]
SHELLS = ('sh', 'bash', 'shell', 'console')
SKIP = re.compile(r'<!--\s*docs-test:\s*skip\s*\((?P<reason>[^)]+)\)\s*-->')
EMPTY_FOLDER = '<!-- docs-test: run in an empty folder -->'
TIMEOUT = 600   # seconds for one block: a cold national build takes under a minute here
# What may be skipped: a command line must match one of these, and the reason must be given.
ALLOWED_SKIPS = (
    (re.compile(r'(^|\s)\./dev\.sh test\b'), None),
    (re.compile(r'(^|\s)(\./dev\.sh|noticegen|build\.py|-m noticegen) (.* )?serve\b'), None),
    (re.compile(r'\bdask\b', re.I), None),
    (re.compile(r'benchmarks/'), re.compile(r'PyPI')),
)
# Benchmarks in the docs show their full sizes; here they run at their smallest.
SMALLEST = ((re.compile(r'--runs \d+'), '--runs 1'), (re.compile(r'--leaflets \d+'), '--leaflets 1'),
            (re.compile(r'--packets \d+'), '--packets 1'),
            (re.compile(r'--recipients \d+'), '--recipients 50'),
            (re.compile(r'--prefectures \d+'), '--prefectures 1'))
IGNORED = shutil.ignore_patterns('.git', 'dist', '.venv', '__pycache__', '.pytest_cache',
                                 '*.egg-info', '.hypothesis')


@dataclass
class Block:
    document: Path
    line: int
    lang: str
    code: str
    skip: str | None    # the reason, if skipped

    @property
    def where(self) -> str:
        return f'{self.document.relative_to(ROOT)}:{self.line}'

    @property
    def commands(self) -> list[str]:
        return [line.strip() for line in self.code.splitlines()
                if line.strip() and not line.strip().startswith('#')]


def blocks(document: Path) -> list[Block]:
    """The fenced shell blocks of ``document``, with the skip directive before each."""
    found = []
    lines = document.read_text(encoding='utf-8').splitlines()
    index = 0
    while index < len(lines):
        opening = re.match(r'^(?P<indent>\s*)```(?P<lang>\w*)\s*$', lines[index])
        if not opening:
            index += 1
            continue
        indent = len(opening.group('indent'))
        end = index + 1
        while end < len(lines) and not re.match(r'^\s*```\s*$', lines[end]):
            end += 1
        if opening.group('lang') in SHELLS:
            previous = next((line for line in reversed(lines[:index]) if line.strip()), '')
            skip = SKIP.search(previous)
            code = '\n'.join(line[indent:] for line in lines[index + 1:end]) + '\n'
            found.append(Block(document, index + 1, opening.group('lang'), code,
                               skip.group('reason').strip() if skip else None))
        index = end + 1
    return found


def skip_problem(block: Block) -> str | None:
    """Why ``block`` may not be skipped, or None."""
    if not block.skip:
        return 'no reason given'
    for command in block.commands:
        if not any(pattern.search(command) and (reason is None or reason.search(block.skip))
                   for pattern, reason in ALLOWED_SKIPS):
            return (f'{command!r} may not be skipped: only ./dev.sh test, serve, multi-machine '
                    f'steps and benchmarks that fetch from PyPI may')
    return None


def _python_wrapper(path: Path) -> None:
    path.write_text(f'#!/bin/sh\nexec {sys.executable} "$@"\n', encoding='utf-8')
    path.chmod(0o755)


def project_copy(target: Path) -> Path:
    """A copy of the whole repository (no .git, dist or .venv), whose .venv is this Python.

    ./dev.sh finds its venv current (the stamps it writes after installing, computed here the
    way it computes them), so it installs nothing and runs the copy's build.py.
    """
    shutil.copytree(ROOT, target, ignore=IGNORED)
    venv = target / '.venv'
    (venv / 'bin').mkdir(parents=True)
    _python_wrapper(venv / 'bin' / 'python')
    for lock in ('requirements.lock', 'requirements-test.lock'):
        stamp = subprocess.run(
            ['bash', '-c', 'wanted=$(cat "$1" pyproject.toml; python3 --version); '
                           'printf %s "$wanted" | sha256sum | cut -d" " -f1', '_', lock],
            cwd=target, capture_output=True, text=True, check=True).stdout.strip()
        (venv / f'.noticegen-{lock[:-len(".lock")]}').write_text(stamp, encoding='utf-8')
    return target


def environment(tmp_path: Path) -> dict[str, str]:
    """PATH with `noticegen` and `python` (this checkout's CLI and Python), a private cache."""
    shims = tmp_path / 'bin'
    shims.mkdir(exist_ok=True)
    _python_wrapper(shims / 'python')
    noticegen = shims / 'noticegen'
    noticegen.write_text(f'#!/bin/sh\nexec {sys.executable} {ROOT / "build.py"} "$@"\n',
                         encoding='utf-8')
    noticegen.chmod(0o755)
    return {**os.environ, 'PATH': f'{shims}{os.pathsep}{os.environ.get("PATH", "")}',
            'XDG_CACHE_HOME': str(tmp_path / 'cache'), 'NOTICEGEN_FUZZ_EXAMPLES': '5',
            'PYTHONDONTWRITEBYTECODE': '1'}


def smallest(code: str) -> str:
    for pattern, replacement in SMALLEST:
        code = pattern.sub(replacement, code)
    return code


def run_block(code: str, cwd: Path, env: dict[str, str], where: str) -> None:
    try:
        result = subprocess.run(['bash', '-euo', 'pipefail', '-c', code], cwd=cwd, env=env,
                                capture_output=True, text=True, timeout=TIMEOUT,
                                stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pytest.fail(f'{where}: did not finish within {TIMEOUT} s:\n{code}')
    assert result.returncode == 0, (
        f'{where}: exit {result.returncode}\n{code}\n--- stdout\n{result.stdout[-3000:]}'
        f'\n--- stderr\n{result.stderr[-3000:]}')


ALL_BLOCKS = [block for document in DOCUMENTS for block in blocks(document)]


def test_the_docs_have_shell_blocks_and_every_document_is_found():
    names = {document.name for document in DOCUMENTS}
    assert {'README.md', 'reference.md', 'architecture.md', 'performance.md', 'tests.md',
            'writing-a-notice.ja.md', 'writing-a-notice.en.md'} <= names
    assert len([block for block in ALL_BLOCKS if not block.skip]) >= 10


@pytest.mark.parametrize('block', [block for block in ALL_BLOCKS if block.skip],
                         ids=lambda block: block.where)
def test_skipped_block(block):
    """Each skip is allowed, and listed in pytest's summary (-ra) with its reason."""
    problem = skip_problem(block)
    assert problem is None, f'{block.where}: {problem}'
    pytest.skip(f'{block.where}: {block.skip}: {" ; ".join(block.commands)}')


def test_the_skip_rule_refuses_other_commands():
    document = ROOT / 'README.md'
    assert skip_problem(Block(document, 1, 'sh', './dev.sh build\n', 'slow')) is not None
    assert skip_problem(Block(document, 1, 'sh', './dev.sh test\n', None)) is not None
    assert skip_problem(Block(document, 1, 'sh', 'python benchmarks/batch.py\n', 'slow')) \
        is not None
    assert skip_problem(Block(document, 1, 'sh', './dev.sh serve -p 13\n', 'runs until '
                                                                          'stopped')) is None


@pytest.mark.parametrize('document', [document for document in DOCUMENTS
                                      if any(not b.skip for b in blocks(document))],
                         ids=lambda document: str(document.relative_to(ROOT)))
def test_every_shell_block_runs(document, tmp_path):
    empty = EMPTY_FOLDER in document.read_text(encoding='utf-8')
    if empty:
        cwd = tmp_path / 'empty'
        cwd.mkdir()
    else:
        cwd = project_copy(tmp_path / 'project')
    env = environment(tmp_path)
    for block in blocks(document):
        if block.skip:
            continue
        run_block(smallest(block.code), cwd, env, block.where)


# --- The Japanese recipe: change a number -------------------------------------------------

NOTICE = '2024-10-08-onestop'
NEW_NUMBER = '045-322-7370'


def section(document: Path, heading: str) -> tuple[range, str]:
    """The lines (1-based) and text of ``document``'s ### section starting with ``heading``."""
    lines = document.read_text(encoding='utf-8').splitlines()
    start = next(number for number, line in enumerate(lines, start=1)
                 if line.startswith(f'### {heading}'))
    end = next((number for number, line in enumerate(lines, start=1)
                if number > start and line.startswith('#')), len(lines) + 1)
    return range(start, end), '\n'.join(lines[start - 1:end - 1])


def pdf_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return normalize(''.join(page.extract_text() or '' for page in pdf.pages))


def test_the_japanese_recipe_changes_a_number_in_the_proof_and_the_leaflet(tmp_path):
    readme = ROOT / 'README.md'
    lines, text = section(readme, 'レシピ1：')
    steps = [block for block in blocks(readme) if block.line in lines]
    assert all(not block.skip for block in steps)
    commands = [command for block in steps for command in block.commands]
    # The recipe: edit, validate, proof -p, (sign-off), build, manifest check, in this order.
    assert [command.split()[1] for command in commands] == ['validate', 'proof', 'build',
                                                             'manifest'], commands
    assert re.fullmatch(r'\./dev\.sh proof -p \S+', commands[1]), commands[1]
    assert commands[3] == './dev.sh manifest check'
    code = re.search(r'-p (\S+)', commands[1]).group(1)
    # The edit: the file named in the recipe's YAML example, its number replaced.
    example = re.search(r'```yaml\n\s*# (?P<path>\S+)\n(?P<body>.*?)```', text, re.S)
    assert example, 'the recipe shows the line to edit'
    old = re.search(r'number: (\S+)', example.group('body')).group(1)
    project = project_copy(tmp_path / 'project')
    source = project / example.group('path')
    assert source.name.startswith(f'{code}-')
    text = source.read_text(encoding='utf-8')
    assert f'number: {old}' in text
    source.write_text(text.replace(f'number: {old}', f'number: {NEW_NUMBER}', 1),
                      encoding='utf-8')
    env = environment(tmp_path)
    stem = source.stem
    out = project / 'dist' / NOTICE
    for command in commands:
        run_block(command + '\n', project, env, f'README.md recipe: {command}')
        verb = command.split()[1]
        if verb == 'proof':
            proof = pdf_text(out / 'proof' / f'{stem}.pdf')
            assert NEW_NUMBER in proof
        elif verb == 'build':
            leaflet = pdf_text(out / 'leaflets' / f'{stem}.pdf')
            assert NEW_NUMBER in leaflet and old not in leaflet
            assert NEW_NUMBER in pdf_text(out / 'packets' / f'{stem}.pdf')
    result = subprocess.run(['./dev.sh', 'manifest', 'check'], cwd=project, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0 and '0 problems' in result.stdout, result.stdout + result.stderr
