"""tools/train.py and tools/dist_train.sh on the CPU MoCo v2 config."""
import json
import os
import socket
import subprocess
import sys

import pytest
import torch

from tests.conftest import REPO_ROOT, run_tool

MOCO_CPU = 'configs/mocov2/mocov2_resnet18_1xb32-coslr-4e_bsds-osie_cpu.py'
# 32 images, 8 per step: 4 iterations per epoch on one process.
SMALL_RUN = [
    'train_dataloader.dataset.indices=32', 'train_dataloader.batch_size=8',
    'train_dataloader.num_workers=0', 'train_dataloader.persistent_workers=False',
    'model.queue_len=64', 'default_hooks.logger.interval=1', 'randomness.seed=0',
]


def probed_config(tmp_path):
    """The CPU MoCo config plus the test-only ProbeHook."""
    path = tmp_path / 'probed_config.py'
    path.write_text(
        f'_base_ = [{str(REPO_ROOT / MOCO_CPU)!r}]\n'
        "custom_imports = dict(imports=['attn_plugins', 'tests.test_engine.probe_hooks'], "
        'allow_failed_imports=False)\n'
        "custom_hooks = [dict(type='ProbeHook')]\n")
    return path


def load(path):
    import attn_plugins  # noqa: F401  (allow-lists mmengine's checkpoint classes)
    return torch.load(path, map_location='cpu', weights_only=True)


def assert_same_tensors(a, b, what):
    if isinstance(a, dict):
        assert a.keys() == b.keys(), what
        for key in a:
            assert_same_tensors(a[key], b[key], f'{what}.{key}')
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), what
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same_tensors(x, y, f'{what}[{i}]')
    elif isinstance(a, torch.Tensor):
        assert torch.equal(a, b), what
    else:
        assert a == b, what


def test_train_then_resume_continues_from_saved_state(tmp_path, shared_data):
    shared_data('bsds500'), shared_data('osie')
    work, config = tmp_path / 'work', probed_config(tmp_path)
    run_tool(['tools/train.py', config, '--work-dir', work, '--cfg-options', *SMALL_RUN,
              'train_cfg.max_epochs=1'])
    saved = load(work / 'epoch_1.pth')
    assert saved['meta']['iter'] == 4 and saved['meta']['epoch'] == 1

    proc = run_tool(['tools/train.py', config, '--work-dir', work, '--resume',
                     '--cfg-options', *SMALL_RUN, 'train_cfg.max_epochs=2'])
    assert 'resumed epoch: 1, iter: 4' in proc.stdout + proc.stderr

    probe = torch.load(work / 'probe_before_train.pth', weights_only=False)
    assert (probe['iter'], probe['epoch']) == (4, 1)
    assert_same_tensors(probe['model'], saved['state_dict'], 'model')
    assert_same_tensors(probe['optimizer'], saved['optimizer'], 'optimizer')
    # The resumed run trained the second epoch: 4 more iterations, and changed the weights.
    final = load(work / 'epoch_2.pth')
    assert final['meta']['iter'] == 8
    assert not torch.equal(final['state_dict']['backbone.conv1.weight'],
                           saved['state_dict']['backbone.conv1.weight'])


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_dist_train_two_cpu_processes(tmp_path, shared_data):
    shared_data('bsds500'), shared_data('osie')
    work, config = tmp_path / 'work', probed_config(tmp_path)
    env = dict(os.environ, PYTHON=sys.executable, PORT=str(free_port()), OMP_NUM_THREADS='1',
               PYTHONPATH=str(REPO_ROOT))
    proc = subprocess.run(
        ['bash', 'tools/dist_train.sh', str(config), '2', '--work-dir', str(work),
         '--cfg-options', *SMALL_RUN, 'train_cfg.max_epochs=1'],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]

    ranks = [json.loads((work / f'probe_rank{r}.json').read_text()) for r in (0, 1)]
    assert [r['world_size'] for r in ranks] == [2, 2]
    # 32 images over 2 processes of 8 each: 2 iterations per epoch, on both ranks.
    assert [r['iter'] for r in ranks] == [2, 2]
    # Only rank 0 writes the checkpoint, once.
    assert [r['checkpoint_saves'] for r in ranks] == [1, 0]
    assert sorted(p.name for p in work.glob('*.pth')) == ['epoch_1.pth',
                                                          'probe_before_train.pth']
    assert load(work / 'epoch_1.pth')['meta']['iter'] == 2


@pytest.mark.parametrize('case', ['missing', 'empty', 'unreadable'])
def test_bad_data_gives_an_error_naming_the_path(tmp_path, case):
    root = tmp_path / 'data'
    if case != 'missing':
        for sub in ('bsds500/images', 'osie/images'):
            (root / sub).mkdir(parents=True)
    if case == 'unreadable':
        (root / 'bsds500/images/broken.jpg').write_bytes(b'this is not a JPEG')
        (root / 'osie/images/broken2.jpg').write_bytes(b'nor is this')
    proc = run_tool(['tools/train.py', MOCO_CPU, '--work-dir', tmp_path / 'work',
                     '--cfg-options', *SMALL_RUN, f'train_dataloader.dataset.data_root={root}/',
                     'train_dataloader.batch_size=1'],
                    check=False)
    assert proc.returncode != 0
    expected = {
        'missing': f'image folder not found: {root}/bsds500/images',
        'empty': 'no images (.jpg',
        'unreadable': f'failed to load image: {root}/',
    }[case]
    assert expected in proc.stderr, proc.stderr[-3000:]
    if case == 'empty':
        assert f'found under {root}/bsds500/images' in proc.stderr


def test_missing_config_and_amp_without_gpu_are_clear_errors(tmp_path):
    proc = run_tool(['tools/train.py', 'configs/no_such_config.py'], check=False)
    assert proc.returncode != 0 and 'config file not found: configs/no_such_config.py' in \
        proc.stderr
    if not torch.cuda.is_available():
        proc = run_tool(['tools/train.py', MOCO_CPU, '--amp', '--work-dir', tmp_path],
                        check=False)
        assert proc.returncode != 0 and '--amp needs a CUDA GPU' in proc.stderr
