"""The shape of the code: stages import one way, the core names no kind, kinds plug in."""

from __future__ import annotations

import ast
import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, copy_project, run_cli

PACKAGE = ROOT / 'noticegen'
# The stages in order: a module may import only from its own stage or an earlier one.
# Base modules (errors, layout, options, the package's own __init__) come first.
STAGES = ['base', 'model', 'load', 'render', 'assemble', 'output', 'recipients', 'plan', 'check',
          'documents', 'build', 'merge', 'preview', 'api', 'confirm', 'cli']
BASE = {'noticegen', 'noticegen.errors', 'noticegen.layout', 'noticegen.options'}
# The core: what must never name a kind (documents/ is where kinds live).
CORE = {'base', 'model', 'load', 'render', 'assemble', 'output', 'recipients', 'plan', 'check',
        'build', 'preview', 'api', 'confirm', 'cli'}
MAX_KIND_LINES = 5


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix('').parts)
    if parts[-1] in ('__init__', '__main__'):
        parts = parts[:-1] if parts[-1] == '__init__' else parts
    return '.'.join(parts)


def stage_of(module: str) -> str:
    if module in BASE:
        return 'base'
    part = module.split('.')[1] if '.' in module else 'base'
    if part == '__main__':
        return 'cli'
    return part


def imports_of(path: Path) -> set[str]:
    """Every noticegen module ``path`` imports, at any depth (TYPE_CHECKING included)."""
    module = module_name(path)
    package = module if path.name == '__init__.py' else module.rsplit('.', 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith('noticegen')}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split('.')
                base = base[:len(base) - node.level + 1]
                target = '.'.join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ''
            if not target.startswith('noticegen'):
                continue
            for alias in node.names:
                candidate = f'{target}.{alias.name}'
                exists = (ROOT / Path(*candidate.split('.'))).with_suffix('.py').is_file() or \
                    (ROOT / Path(*candidate.split('.')) / '__init__.py').is_file()
                found.add(candidate if exists else target)
    return found


def graph() -> dict[str, set[str]]:
    return {module_name(path): imports_of(path) for path in PACKAGE.rglob('*.py')}


def test_no_import_cycles():
    edges = graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(module, stack):
        state[module] = 1
        for target in sorted(edges.get(module, ())):
            if target not in edges:
                continue
            if state.get(target) == 1:
                cycles.append(stack[stack.index(target):] + [target])
            elif state.get(target) is None:
                visit(target, stack + [target])
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_stages_import_one_way():
    backward = []
    for module, targets in graph().items():
        stage = STAGES.index(stage_of(module))
        for target in targets:
            if STAGES.index(stage_of(target)) > stage:
                backward.append(f'{module} imports {target}')
    assert backward == []


def test_the_checker_sees_a_backward_import(tmp_path):
    """The import check itself can fail: a render module importing build is caught."""
    probe = PACKAGE / 'render' / '_probe_backward.py'
    probe.write_text('from ..build import Worker\n', encoding='utf-8')
    try:
        edges = graph()
        assert 'noticegen.build' in edges['noticegen.render._probe_backward']
        assert STAGES.index(stage_of('noticegen.build')) > STAGES.index('render')
    finally:
        probe.unlink()


def kind_names() -> set[str]:
    from noticegen.plan import registry
    return {kind.name for kind in registry.kinds()} | set(registry.groups())


def test_core_names_no_kind():
    names = kind_names()
    hits = []
    from noticegen.plan import registry
    kind_modules = set(registry.builtin_modules())
    for path in PACKAGE.rglob('*.py'):
        module = module_name(path)
        if stage_of(module) not in CORE:
            continue
        lines = path.read_text(encoding='utf-8').splitlines()
        tree = ast.parse('\n'.join(lines))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
                      and node.body and isinstance(node.body[0], ast.Expr)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and node.value in names and id(node) not in docstrings):
                line = lines[node.lineno - 1]
                hits.append((f'{path.relative_to(ROOT)}:{node.lineno}', '#' in line))
        imported = imports_of(path) & kind_modules
        assert not imported, f'{module} imports a kind module: {imported}'
    assert len({line for line, _ in hits}) <= MAX_KIND_LINES, hits
    assert all(commented for _, commented in hits), hits


# --- input hashes, driven by the registry's declarations -----------------------------------

EDITS = {'.yaml': '\n# edited\n', '.html': '{# edited #}\n', '.css': '\n/* edited */\n',
         '.po': '\n# edited\n', '.pdf': '\n'}


def keys_of(root: Path):
    """Each job's input hash, and the glyph-check cache key, without rendering."""
    from noticegen.api import default_languages
    from noticegen.check.validate import GlyphCache, _checks, stylesheet_fonts
    from noticegen.load.project import load_project
    from noticegen.plan.job import plan
    from noticegen.plan.keys import Keys
    project = load_project(root)
    jobs = plan(project, None, default_languages(project) + ['th'])
    fonts = stylesheet_fonts(project, jobs)
    keys = Keys(project.root, fonts)
    return ({job.output: keys.key(job) for job in jobs}, {job.output: job for job in jobs},
            GlyphCache(project, _checks(jobs), fonts, root / '.cache').digest)


def test_editing_an_input_changes_exactly_the_documents_that_declare_it(tmp_path):
    root = copy_project(tmp_path / 'project')
    before, jobs, glyph_key = keys_of(root)
    # One input of each kind of file, from every kind's first job: the registry decides.
    from noticegen.plan import registry
    chosen = {}
    for kind in registry.kinds():
        job = next((j for j in jobs.values() if j.kind == kind.name), None)
        for name in (job.inputs if job else ()):
            chosen.setdefault((Path(name).parent.name, Path(name).suffix), name)
    assert {suffix for _, suffix in chosen} >= {'.yaml', '.html', '.css', '.po'}
    for name in sorted(set(chosen.values())):
        path = root / name
        original = path.read_bytes()
        path.write_bytes(original + EDITS[path.suffix].encode())
        try:
            after, _, glyph_after = keys_of(root)
        finally:
            path.write_bytes(original)
        users = {output for output, job in jobs.items() if name in job.inputs}
        changed = {output for output in before if before[output] != after[output]}
        assert users, name
        assert users <= changed, f'{name}: not every document that declares it changed'
        # Nothing else changes, except a composite document (bundle, packet) whose part did.
        for output in changed - users:
            assert set(jobs[output].parts) & changed, f'{name} changed {output}'
        assert glyph_after != glyph_key, f'{name}: the glyph-check cache key did not change'


def test_every_file_a_render_reads_is_a_declared_input(tmp_path):
    """Templates, stylesheets and catalogs read while rendering are all in job.inputs."""
    from noticegen.api import check
    from noticegen.build import Worker
    from noticegen.options import Options
    from noticegen.plan import registry
    checked = check(Options(root=ROOT, prefectures=['13'], langs=['ja', 'en']))
    worker = Worker(checked)
    renderer = worker.renderer
    read: list[str] = []
    loader = renderer.env.loader
    original_get_source = loader.get_source
    loader.get_source = lambda env, name: read.append(f'templates/{name}') or \
        original_get_source(env, name)
    original_stylesheet = renderer.stylesheet
    renderer.stylesheet = lambda name: read.append(f'templates/{name}') or \
        original_stylesheet(name)
    renderer.env.cache = None   # so that every template load goes through the loader
    made: dict[str, bytes] = {}
    seen_kinds = set()
    for job in checked.jobs:
        read.clear()
        renderer._stylesheets.clear()
        renderer.catalogs.clear()
        from noticegen.render import engine
        original_catalog = engine.load_catalog
        engine.load_catalog = lambda locales, lang: read.append(
            f'locales/{lang}/LC_MESSAGES/messages.po') or original_catalog(locales, lang)
        try:
            made[job.output] = worker.produce(job, {p: made[p] for p in job.parts})
        finally:
            engine.load_catalog = original_catalog
        existing = {name for name in read if (ROOT / name).is_file()}
        if registry.get(job.kind).localized:
            assert any(name.endswith('.po') for name in existing) or job.lang == 'en'
        else:
            existing = {name for name in existing if not name.endswith('.po')}
        assert existing <= set(job.inputs), (job.output, existing - set(job.inputs))
        seen_kinds.add(job.kind)
    assert {'notice', 'leaflet', 'card', 'cover', 'bundle', 'packet'} <= seen_kinds


# --- a kind from outside the package --------------------------------------------------------

PLUGIN = Path(__file__).resolve().parent / 'fixtures' / 'plugin'


def test_a_kind_registered_from_outside_is_planned_built_listed_and_previewed(tmp_path):
    import sys
    sys.path.insert(0, str(PLUGIN))
    try:
        import hello_kind
    finally:
        sys.path.remove(str(PLUGIN))
    root = copy_project(tmp_path / 'project')
    (root / 'templates' / 'hello.html').write_text(hello_kind.TEMPLATE, encoding='utf-8')
    (root / 'templates' / 'hello.css').write_text(hello_kind.STYLESHEET, encoding='utf-8')
    env = {'PYTHONPATH': os.pathsep.join([str(PLUGIN), os.environ.get('PYTHONPATH', '')])}
    out = tmp_path / 'out'

    help_text = run_cli('build', '--help', root=root, env=env)
    assert '--hello-greeting' in help_text.stdout
    assert '--hello-greeting' not in run_cli('build', '--help', root=root).stdout

    result = run_cli('build', '--out', str(out), '-p', '13', '--lang', 'none', '--jobs', '1',
                     '--hello-greeting', 'ようこそ', root=root, env=env)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out / 'manifest.json').read_text(encoding='utf-8'))
    entry = next(e for e in manifest['outputs'] if e['path'].endswith('/hello.pdf'))
    assert entry['kind'] == 'hello' and entry['status'] == 'ok' and entry['pages'] == 1
    import pdfplumber
    with pdfplumber.open(out / entry['path']) as pdf:
        assert 'ようこそ' in pdf.pages[0].extract_text()

    listed = run_cli('list', '-p', '13', '--lang', 'none', root=root, env=env)
    assert '/hello.pdf  (hello,' in listed.stdout

    shown = run_cli('preview', '--out', str(out), '--kind', 'hello', root=root, env=env)
    assert shown.returncode == 0, shown.stderr
    stem = entry['path'][:-len('.pdf')]
    assert (out / 'preview' / stem / 'page-1.png').is_file()
    gallery = (out / 'preview' / 'index.html').read_text(encoding='utf-8')
    assert 'あいさつ' in gallery


def test_register_in_process_adds_the_kind_and_its_option(tmp_path):
    import sys

    from click.testing import CliRunner

    from noticegen.cli import main
    from noticegen.plan import registry
    sys.path.insert(0, str(PLUGIN))
    try:
        import hello_kind
        registry.register(hello_kind.Hello)
        result = CliRunner().invoke(main, ['build', '--help'])
        assert '--hello-greeting' in result.output
        assert 'hello' in registry.groups()
    finally:
        registry.unregister('hello')
        sys.path.remove(str(PLUGIN))
    assert 'hello' not in registry.groups()
