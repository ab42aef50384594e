"""tools/setup_env.sh: reuses a finished environment, names the step that fails."""
import os
import subprocess

from tests.conftest import REPO_ROOT


def run_setup(env):
    return subprocess.run(['bash', 'tools/setup_env.sh'], cwd=REPO_ROOT, capture_output=True,
                          text=True, env={**os.environ, **env}, timeout=300)


def test_finished_environment_is_reused():
    venv_before = os.path.realpath(REPO_ROOT / '.venv')
    proc = run_setup({})
    assert proc.returncode == 0, proc.stderr
    assert '[setup]' not in proc.stdout + proc.stderr  # nothing to build, nothing printed
    assert os.path.realpath(REPO_ROOT / '.venv') == venv_before
    assert os.path.isfile(os.path.join(venv_before, '.complete'))


def test_failing_step_is_named_and_leaves_the_project_link_alone(tmp_path):
    venv_before = os.path.realpath(REPO_ROOT / '.venv')
    proc = run_setup({'ATTN_PLUGINS_ENV_ROOT': str(tmp_path),
                      'ATTN_PLUGINS_PYTHON': 'false'})
    assert proc.returncode != 0
    assert '[setup] FAILED: 1/6 create virtual environment' in proc.stderr
    assert os.path.realpath(REPO_ROOT / '.venv') == venv_before
