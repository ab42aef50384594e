"""The promises of the README and of the pages under docs/, checked against the repository
as it is when the tests run.

- Every repository path they name (configs, tools, requirements, modules, docs, ...) exists,
  and every bare config / script file name they name exists somewhere in the repository.
- Every tool they tell users to run answers ``--help`` with exit status 0 and a usage text.
- Every link between them lands on a file and, where it names one, on a heading of it; the
  README links every page of docs/.
- Every tool under ``tools/`` (Python entry points and shell wrappers) shows an ``Examples:``
  section in its ``--help`` with command lines of that tool, and the repository paths those
  examples name exist.

The pages are read when the tests run, so they stay true while it changes. The ``--help``
calls run once per session, in parallel subprocesses (each Python tool imports the OpenMMLab
stack, about 5 s).
"""
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
README = REPO / 'README.md'
# The README first, then the documentation pages it links and the index of results/.
RESULTS_INDEX = REPO / 'results' / 'README.md'
DOCS = [README] + sorted((REPO / 'docs').glob('*.md')) + [RESULTS_INDEX]

# A repository path: one of the top-level names below, not glued to a longer path (so
# `../shared/data/...` and `work_dirs/configs/...` do not match), up to whitespace, a quote,
# a bracket, a table bar or a link's `#anchor`. Placeholders (`<name>`, `...`, `$V`, `*`) stay
# inside the token so the token can be recognised and skipped.
_PATH_RE = re.compile(
    r'(?<![\w./~$-])'
    r'((?:configs|tools|requirements|attn_plugins|tests|docs|\.ci)/[^\s`\'"(),;|\[\]#]*'
    r'|CONTRIBUTING\.md|README\.md|setup\.py|pytest\.ini)')
# A bare file name of this repository: `train.py`, `cast_resnet50_..._coco.py` (starts with a
# letter, so suffixes such as `_resnet18_..._cpu.py` are not taken for names).
_BARE_RE = re.compile(r'(?<![\w./~<>*$-])([A-Za-z][\w.-]*\.(?:py|sh))(?![\w/-])')
# A command that runs a tool: `python tools/x.py`, `bash tools/x.sh`, `.venv/bin/python ...`.
_COMMAND_RE = re.compile(
    r'(?:\bpython3?|\bbash|\bsh)\s+(tools/[\w/.-]+\.(?:py|sh))(?![\w/.-])')
_PLACEHOLDER_MARKS = ('...', '<', '>', '*', '$', '{', '}')
# A path segment spelled like a placeholder: CONFIG, CKPT, THIS_CONFIG, NAME.py.
_PLACEHOLDER_SEGMENT = re.compile(r'^[A-Z][A-Z0-9_]*(\.\w+)?$')
# Outputs and external data, not part of the repository.
_NOT_IN_REPO = ('work_dirs/', '../shared', 'data/')

# Shell scripts under tools/ whose --help is not executed here, and why.
_SHELL_NOT_RUN = {
    'tools/setup_env.sh': 'sourced by demo.sh / run_tests.sh to build the environment; '
                          'it takes no options',
    'tools/demo.sh': 'builds the environment first (minutes on a fresh machine), then forwards '
                     'its arguments to tools/demo.py, whose --help is checked',
    'tools/run_tests.sh': 'builds the environment first, then forwards its arguments to '
                          'pytest',
}
_EXAMPLES_RE = re.compile(r'^[ \t#]*examples?:[ \t]*$', re.IGNORECASE | re.MULTILINE)


def _is_placeholder(token):
    if any(mark in token for mark in _PLACEHOLDER_MARKS):
        return True
    return any(_PLACEHOLDER_SEGMENT.match(part) for part in token.split('/')[1:])


def repo_paths(text):
    """Repository paths named in ``text`` (README or help text), placeholders left out.

    Returns:
        list[str]: Paths relative to the repository root, in order of first mention.
    """
    found = {}
    for match in _PATH_RE.finditer(text):
        token = match.group(1)
        if _is_placeholder(token) or token.startswith(_NOT_IN_REPO):
            continue
        token = token.rstrip('.:')  # sentence punctuation
        found.setdefault(token, None)
    return list(found)


def bare_file_names(text):
    """File names named without a folder (``train.py``, ``cast_..._coco.py``)."""
    found = {}
    for match in _BARE_RE.finditer(text):
        name = match.group(1)
        if not _is_placeholder(name) and not _PLACEHOLDER_SEGMENT.match(name):
            found.setdefault(name, None)
    return list(found)


def run_commands(text):
    """Tools ``text`` tells users to run (``python tools/x.py``, ``bash tools/x.sh``)."""
    return list(dict.fromkeys(m.group(1) for m in _COMMAND_RE.finditer(text)))


@lru_cache(maxsize=1)
def _repo_file_names():
    names = set()
    for root, dirs, files in os.walk(REPO):
        dirs[:] = [d for d in dirs if not d.startswith('.') and d not in (
            'work_dirs', '__pycache__', 'node_modules')]
        names.update(files)
    return names


def missing_paths(text, repo=REPO):
    """Paths and bare file names ``text`` names that the repository does not hold."""
    missing = [p for p in repo_paths(text) if not (repo / p).exists()]
    if repo == REPO:
        names = _repo_file_names()
    else:
        names = {f.name for f in repo.rglob('*') if f.is_file()}
    missing += [n for n in bare_file_names(text) if n not in names]
    return missing


def _is_entry_point(path):
    return re.search(r'''^if __name__ == ['"]__main__['"]:''', path.read_text(),
                     re.MULTILINE) is not None


def _python_tools():
    return sorted(str(p.relative_to(REPO)) for p in (REPO / 'tools').rglob('*.py')
                  if p.name != '__init__.py' and _is_entry_point(p))


def _shell_tools():
    return sorted(str(p.relative_to(REPO)) for p in (REPO / 'tools').rglob('*.sh')
                  if str(p.relative_to(REPO)) not in _SHELL_NOT_RUN)


def _readme_tools():
    """Tools the README and docs/ point users to: every tools/ script they name that runs as
    a command (an entry point, a shell script, or anything named after `python` / `bash`)."""
    text = '\n'.join(doc.read_text() for doc in DOCS)
    commands = set(run_commands(text))
    tools = []
    for path in repo_paths(text):
        if not path.startswith('tools/') or not path.endswith(('.py', '.sh')):
            continue
        file = REPO / path
        if path in commands or path.endswith('.sh') or (file.is_file() and _is_entry_point(file)):
            tools.append(path)
    return tools


def _help_command(tool):
    if tool.endswith('.sh'):
        return ['bash', tool, '--help']
    return [sys.executable, tool, '--help']


@lru_cache(maxsize=1)
def _help_results():
    """``--help`` of every tool these tests look at, run once, a few at a time."""
    tools = sorted(set(_python_tools()) | set(_shell_tools()) | {
        t for t in _readme_tools() if t not in _SHELL_NOT_RUN and (REPO / t).is_file()})
    env = dict(os.environ, OMP_NUM_THREADS='1', MPLBACKEND='Agg')

    def run(tool):
        return subprocess.run(_help_command(tool), cwd=REPO, env=env, capture_output=True,
                              text=True, timeout=300)

    with ThreadPoolExecutor(max_workers=max(1, min(3, os.cpu_count() or 1))) as pool:
        return dict(zip(tools, pool.map(run, tools)))


def _help_of(tool):
    proc = _help_results()[tool]
    assert proc.returncode == 0, (
        f'`{" ".join(_help_command(tool)[1:])}` failed ({proc.returncode}):\n'
        f'--- stdout ---\n{proc.stdout[-3000:]}\n--- stderr ---\n{proc.stderr[-3000:]}')
    return proc.stdout


# ---------------------------------------------------------------- the extraction itself

SAMPLE = '''
Run `python tools/train.py configs/cast/cast_resnet50_8xb32-coslr-200e_coco.py` or
`bash tools/dist_train.sh CONFIG 8`. See `CONTRIBUTING.md` and `requirements/constraints.txt`.

```bash
python tools/train.py configs/no_such/config_cpu.py --work-dir work_dirs/run1
python tools/analysis/attention_alignment.py --masks ../shared/data/bsds500 \\
    --model a configs/cast/<name>_cpu.py work_dirs/a/epoch_30.pth
V=configs/vars/vars-d_vit-small-p16_8xb128-300e_in1k_cpu.py; python tools/test.py $V CKPT
```

The configs (`configs/vars/`) and `tools/missing_tool.py`. CPU sibling:
`..._raccoon_cpu.py`; each with `_resnet18_1xb32-coslr-30e_bsds-sod_cpu.py`; bare
`supervised_resnet50_1xb16-adam-100e_voc2012-16shot.py` and `no_such_config_coco.py`.
'''


def test_extraction_of_paths_and_commands():
    assert repo_paths(SAMPLE) == [
        'tools/train.py', 'configs/cast/cast_resnet50_8xb32-coslr-200e_coco.py',
        'tools/dist_train.sh', 'CONTRIBUTING.md', 'requirements/constraints.txt',
        'configs/no_such/config_cpu.py', 'tools/analysis/attention_alignment.py',
        'configs/vars/vars-d_vit-small-p16_8xb128-300e_in1k_cpu.py', 'tools/test.py',
        'configs/vars/', 'tools/missing_tool.py']
    assert bare_file_names(SAMPLE) == [
        'supervised_resnet50_1xb16-adam-100e_voc2012-16shot.py', 'no_such_config_coco.py']
    assert run_commands(SAMPLE) == ['tools/train.py', 'tools/dist_train.sh',
                                    'tools/analysis/attention_alignment.py', 'tools/test.py']
    assert missing_paths(SAMPLE) == [
        'configs/no_such/config_cpu.py', 'tools/missing_tool.py', 'no_such_config_coco.py']


def test_a_wrong_readme_path_is_reported():
    text = README.read_text()
    assert missing_paths(text + '\nalso `python tools/train.py configs/fake/nope_cpu.py`\n') \
        == missing_paths(text) + ['configs/fake/nope_cpu.py']


# ---------------------------------------------------------------- the README

@pytest.mark.parametrize('doc', DOCS, ids=lambda doc: str(doc.relative_to(REPO)))
def test_readme_and_docs_paths_exist(doc):
    missing = missing_paths(doc.read_text())
    assert not missing, (
        f'{doc.relative_to(REPO)} names paths that are not in the repository (fix the text '
        'or add the file):\n  ' + '\n  '.join(missing))


def test_readme_names_its_tools():
    tools = _readme_tools()
    # The commands of the README's first lines and of "Training and testing".
    for tool in ('tools/train.py', 'tools/test.py', 'tools/dist_train.sh', 'tools/demo.sh'):
        assert tool in tools, f'{tool} is no longer in the README: update this test'
    # demo.sh is not executed here (it builds the environment), but passes its arguments on
    # to demo.py, whose --help is checked instead.
    assert 'exec .venv/bin/python tools/demo.py "$@"' in (REPO / 'tools/demo.sh').read_text()
    assert 'tools/demo.py' in _python_tools()
    # Likewise run_tests.sh hands its arguments to pytest.
    assert 'exec .venv/bin/python -m pytest "$@"' in (REPO / 'tools/run_tests.sh').read_text()


# The wrappers of _SHELL_NOT_RUN are checked by test_readme_names_its_tools instead.
@pytest.mark.parametrize('tool', [t for t in _readme_tools() if t not in _SHELL_NOT_RUN])
def test_readme_tool_help(tool):
    assert (REPO / tool).is_file(), f'README runs {tool}, which does not exist'
    out = _help_of(tool)
    assert 'usage' in out.lower(), f'{tool} --help prints no usage:\n{out}'


# ---------------------------------------------------------------- every tool

@pytest.mark.parametrize('tool', _python_tools() + _shell_tools())
def test_tool_help_has_examples(tool):
    out = _help_of(tool)
    assert 'usage' in out.lower(), f'{tool} --help prints no usage:\n{out}'
    header = _EXAMPLES_RE.search(out)
    assert header, f'{tool} --help has no "Examples:" section:\n{out}'
    examples = out[header.end():]
    assert tool in examples, f'the examples of {tool} --help never run {tool}:\n{examples}'
    missing = missing_paths(out)
    assert not missing, f'{tool} --help names paths that do not exist: {missing}'


def test_shell_wrappers_answer_short_help_too():
    for tool in _shell_tools():
        proc = subprocess.run(['bash', tool, '-h'], cwd=REPO, capture_output=True, text=True,
                              timeout=60)
        assert proc.returncode == 0 and proc.stdout == _help_of(tool), (tool, proc.stderr)


# ---------------------------------------------------------------- first lines, contents, snippets

def github_slug(title):
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces -> '-'."""
    return re.sub(r'[^\w\- ]', '', title.strip().lower()).replace(' ', '-')


def readme_headings(text):
    """``(level, title)`` of every markdown heading outside fenced code blocks."""
    headings, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith('```'):
            fenced = not fenced
        elif not fenced and (match := re.match(r'(#{1,6}) (.+)$', line)):
            headings.append((len(match.group(1)), match.group(2).strip()))
    return headings


def test_github_slug_of_the_readmes_kinds_of_heading():
    assert github_slug('Checkpoints and torch >= 2.6') == 'checkpoints-and-torch--26'
    assert github_slug('Installing by hand (e.g. on a GPU machine)') == \
        'installing-by-hand-eg-on-a-gpu-machine'
    assert readme_headings('# A\n```bash\n# comment\n```\n## B: c\n') == [(1, 'A'), (2, 'B: c')]


def test_readme_table_of_contents_lists_every_section_in_order():
    text = README.read_text()
    headings = readme_headings(text)
    assert headings[1] == (2, 'Contents'), 'the contents come first, before "## Status"'
    contents = text.split('\n## Contents\n', 1)[1].split('\n## ', 1)[0]
    entries = re.findall(r'^( *)- \[(.+)\]\(#([\w-]+)\)$', contents, re.MULTILINE)
    listed = [(2 + len(indent) // 2, title) for indent, title, _ in entries]
    expected = [(level, title) for level, title in headings
                if level in (2, 3) and title != 'Contents']
    assert listed == expected, 'README contents and headings differ: update "## Contents"'
    for _, title, anchor in entries:
        assert anchor == github_slug(title), (title, anchor)


# A markdown link to a local page or heading: `](#anchor)`, `](page.md)`, `](../README.md#a)`.
_LINK_RE = re.compile(r'\]\((?!https?://)([^)\s#]*\.md)?(?:#([\w-]+))?\)')


def broken_links(doc, text=None):
    """Links of the markdown file ``doc`` to a file that does not exist, or to a heading its
    target does not have; links to other kinds of file (pictures) and to the web left out.

    Returns:
        list[str]: The broken targets as written.
    """
    text = doc.read_text() if text is None else text
    broken = []
    for match in _LINK_RE.finditer(text):
        page, anchor = match.groups()
        if page is None and anchor is None:
            continue  # not a page link, e.g. a picture
        target = (doc.parent / page).resolve() if page else doc
        if page and not target.is_file():
            broken.append(match.group(0)[2:-1])
        elif anchor and anchor not in {github_slug(t) for _, t in readme_headings(
                target.read_text() if page else text)}:
            broken.append(match.group(0)[2:-1])
    return broken


def test_broken_links_are_found(tmp_path):
    (tmp_path / 'docs').mkdir()
    page = tmp_path / 'docs' / 'page.md'
    page.write_text('# Page\n\n## Some part\n')
    readme = tmp_path / 'README.md'
    text = ('# Top\n[a](#top) [b](#nowhere) [c](docs/page.md) [d](docs/page.md#some-part) '
            '[e](docs/page.md#other) [f](docs/none.md) [g](results/plot.png) '
            '[h](https://example.org/x.md#y)\n')
    readme.write_text(text)
    assert broken_links(readme) == ['#nowhere', 'docs/page.md#other', 'docs/none.md']
    assert broken_links(page, '[back](../README.md#top) [x](../README.md#bottom)\n') == [
        '../README.md#bottom']


@pytest.mark.parametrize('doc', DOCS, ids=lambda doc: str(doc.relative_to(REPO)))
def test_every_link_of_the_readme_and_docs_lands(doc):
    assert not broken_links(doc), f'{doc.relative_to(REPO)} links nowhere: {broken_links(doc)}'


def test_the_readme_links_every_docs_page():
    linked = {(REPO / page).resolve() for page, _ in _LINK_RE.findall(README.read_text()) if page}
    unlinked = [str(doc.relative_to(REPO)) for doc in DOCS[1:] if doc.resolve() not in linked]
    assert not unlinked, f'pages of docs/ the README does not link: {unlinked}'


def test_the_results_index_names_every_results_folder_and_only_those():
    """results/README.md lists each folder under results/ (the first cell of a table row,
    relative to results/), and every folder or file it lists there exists."""
    listed = re.findall(r'^\| `([^`]+)` \|', RESULTS_INDEX.read_text(), re.MULTILINE)
    missing = [path for path in listed if not (REPO / 'results' / path).exists()]
    assert not missing, f'results/README.md lists what results/ does not hold: {missing}'
    folders = sorted(p.name for p in (REPO / 'results').iterdir() if p.is_dir())
    unlisted = [f for f in folders if not any(p.split('/')[0] == f for p in listed)]
    assert not unlisted, f'results/ folders missing from results/README.md: {unlisted}'


def test_readme_python_version_is_what_setup_py_and_the_pinned_numpy_require():
    from importlib.metadata import metadata

    first_lines = '\n'.join(README.read_text().splitlines()[:12])
    (version, ) = re.findall(r'Python (\d+\.\d+)\+', first_lines)
    setup = (REPO / 'setup.py').read_text()
    assert f"python_requires='>={version}'" in setup
    # The pinned numpy sets the floor (numpy 2.4: Python >= 3.11).
    assert metadata('numpy')['Requires-Python'] == f'>={version}'
    assert sys.version_info >= tuple(map(int, version.split('.')))


def _code_lines(snippet):
    """Code lines of a snippet, comments and indentation dropped; lines holding '...'
    (elisions) left out."""
    lines = [line.split('  #')[0].strip() for line in snippet.splitlines()]
    return [line for line in lines if line and '...' not in line and not line.startswith('#')]


def test_readme_selfsup_custom_imports_snippet_is_the_example_that_trains():
    """The README's mmpretrain snippet shows the lines a self-supervised model needs, and
    every line of it is, in order, a line of the example config that
    tests/test_engine/test_custom_import_examples.py trains."""
    text = README.read_text()
    example = 'configs/examples/mmpretrain_cast-mocov2_resnet50_custom-imports_bsds.py'
    after = text.split(f'`{example}`', 1)[1]
    snippet = re.search(r'```python\n(.*?)```', after, re.DOTALL).group(1)
    for needed in ("custom_imports = dict(imports=['attn_plugins'], allow_failed_imports=False)",
                   "type='SelfSupDataPreprocessor',", "collate_fn=dict(type='default_collate'),"):
        assert needed in snippet
    remaining = iter(_code_lines((REPO / example).read_text()))
    for line in _code_lines(snippet):
        assert any(line == candidate for candidate in remaining), \
            f'README snippet line not in {example} (in this order): {line}'


def _base_chain(config: Path) -> list:
    """Every local file in ``config``'s ``_base_`` chain (package bases such as
    ``mmpretrain::...`` left out), read from the files' text as mmengine does."""
    import ast

    chain = []
    for node in ast.parse(config.read_text()).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], 'id', None) == '_base_':
            bases = ast.literal_eval(node.value)
            for base in [bases] if isinstance(bases, str) else bases:
                if '::' not in base:
                    path = (config.parent / base).resolve()
                    chain += [path, *_base_chain(path)]
    return chain


def test_the_status_row_counts_the_cpu_siblings_that_inherit_their_full_config():
    """docs/configs.md pairs each full config with its CPU siblings; the README's status row
    says how many of them have the full config in their _base_ chain."""
    pairs = []
    for line in (REPO / 'docs' / 'configs.md').read_text().splitlines():
        if line.startswith('| `configs/'):
            full, siblings = line.split(' | ')[:2]
            pairs += [(REPO / full.strip('| `'), REPO / sibling)
                      for sibling in re.findall(r'`(configs/[^`]+_cpu\.py)`', siblings)]
    inheriting = sum(full.resolve() in _base_chain(sibling) for full, sibling in pairs)
    row = next(line for line in README.read_text().splitlines()
               if line.startswith('| every CPU config inheriting its full config |'))
    assert f'{inheriting} of the {len(pairs)} CPU siblings do' in row, (inheriting, len(pairs))
