"""`tools/**/*.py --help` answers without building the stack: the parser needs only argparse
(and mmengine's DictAction for --cfg-options), never torch, an OpenMMLab runner or a
downstream OpenMMLab package. Checked by what is imported, not by timing."""
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

HEAVY = ('torch', 'mmengine.runner', 'mmcv', 'mmpretrain', 'mmdet', 'mmseg')
# Not a command: the benchmarks' shared measurement helpers.
NOT_TOOLS = {'tools/benchmarks/measure.py'}

# Runs the tool as `python TOOL --help` would (its folder first on sys.path, run as
# __main__), then prints which heavy modules the run imported, as JSON on the last line.
WRAPPER = f'''
import json, os.path as osp, runpy, sys
path = sys.argv[1]
sys.argv = [path, '--help']
sys.path.insert(0, osp.dirname(osp.abspath(path)))
try:
    runpy.run_path(path, run_name='__main__')
except SystemExit:
    pass
print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))
'''


def tools_with_a_parser():
    tools = []
    for path in sorted((REPO_ROOT / 'tools').rglob('*.py')):
        name = path.relative_to(REPO_ROOT).as_posix()
        if name not in NOT_TOOLS and 'argparse' in path.read_text():
            tools.append(pytest.param(name, id=name))
    return tools


def run(args):
    env = {**os.environ, 'PYTHONPATH': str(REPO_ROOT)}
    return subprocess.run([sys.executable, *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_tools_are_found():
    names = {param.values[0] for param in tools_with_a_parser()}
    assert {'tools/train.py', 'tools/test.py', 'tools/analysis/ssl_eval.py'} <= names
    assert not names & NOT_TOOLS


@pytest.mark.parametrize('tool', tools_with_a_parser())
def test_help_answers_without_the_stack(tool):
    proc = run([tool, '--help'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'usage:' in proc.stdout

    proc = run(['-c', WRAPPER, tool])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'usage:' in proc.stdout
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []
