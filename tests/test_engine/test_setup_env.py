"""tools/setup_env.sh: reuses a finished environment, names the step that fails, and gives
each clone a `.venv` that imports that clone's package from any folder."""
import os
import shutil
import subprocess

from tests.conftest import REPO_ROOT

MARKER = '.attn_plugins_shared_env'  # .venv/<MARKER> names the shared environment


def run_setup(env, repo=REPO_ROOT):
    return subprocess.run(['bash', 'tools/setup_env.sh'], cwd=repo, capture_output=True,
                          text=True, env={**os.environ, **env}, timeout=600)


def imported_from(python, cwd):
    env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}
    return subprocess.run([str(python), '-c', 'import attn_plugins; print(attn_plugins.__file__)'],
                          cwd=cwd, capture_output=True, text=True, env=env,
                          check=True).stdout.strip()


def test_finished_environment_is_reused():
    venv = REPO_ROOT / '.venv'
    shared = (venv / MARKER).read_text().strip()
    created = os.stat(venv / 'pyvenv.cfg').st_ino
    proc = run_setup({})
    assert proc.returncode == 0, proc.stderr
    assert '[setup]' not in proc.stdout + proc.stderr  # nothing to build, nothing printed
    assert (venv / MARKER).read_text().strip() == shared
    assert os.stat(venv / 'pyvenv.cfg').st_ino == created  # the clone's venv was kept
    assert os.path.isfile(os.path.join(shared, '.complete'))


def test_failing_step_is_named_and_leaves_the_clone_environment_alone(tmp_path):
    marker = (REPO_ROOT / '.venv' / MARKER).read_text()
    proc = run_setup({'ATTN_PLUGINS_ENV_ROOT': str(tmp_path),
                      'ATTN_PLUGINS_PYTHON': 'false'})
    assert proc.returncode != 0
    assert '[setup] FAILED: 1/5 create virtual environment' in proc.stderr
    assert (REPO_ROOT / '.venv' / MARKER).read_text() == marker


def test_each_clone_imports_its_own_package_from_any_folder(tmp_path):
    """A second clone on the same shared stack: its .venv imports its own copy, this one's
    imports this one's, from a folder outside both."""
    clone = tmp_path / 'clone'
    clone.mkdir()
    for name in ('attn_plugins', 'requirements', 'tools'):
        shutil.copytree(REPO_ROOT / name, clone / name,
                        ignore=shutil.ignore_patterns('__pycache__'))
    for name in ('setup.py', 'README.md', 'MANIFEST.in'):
        shutil.copy(REPO_ROOT / name, clone / name)
    proc = run_setup({}, repo=clone)
    assert proc.returncode == 0, proc.stderr
    # the same requirements: the shared stack is reused, only the clone's venv is made
    assert (clone / '.venv' / MARKER).read_text() == (REPO_ROOT / '.venv' / MARKER).read_text()
    elsewhere = tmp_path / 'elsewhere'
    elsewhere.mkdir()
    assert imported_from(clone / '.venv/bin/python', elsewhere) == str(
        clone / 'attn_plugins' / '__init__.py')
    assert imported_from(REPO_ROOT / '.venv/bin/python', elsewhere) == str(
        REPO_ROOT / 'attn_plugins' / '__init__.py')
