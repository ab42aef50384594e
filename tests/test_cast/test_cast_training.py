"""CAST through tools/train.py on its CPU config."""
import json

import numpy as np

from tests.conftest import REPO_ROOT, run_tool

CAST_CPU = 'configs/cast/cast-mocov2_resnet18_1xb32-coslr-30e_bsds-sod_cpu.py'
SMALL_RUN = ['train_dataloader.dataset.indices=16', 'train_dataloader.batch_size=8',
             'train_dataloader.num_workers=0', 'train_dataloader.persistent_workers=False',
             'model.queue_len=64', 'train_cfg.max_epochs=1', 'default_hooks.logger.interval=1']


def test_cast_trains_logs_both_terms_and_enqueues_unmasked_keys(tmp_path, shared_data):
    shared_data('bsds500')
    config = tmp_path / 'probed.py'
    config.write_text(
        f'_base_ = [{str(REPO_ROOT / CAST_CPU)!r}]\n'
        "custom_imports = dict(imports=['attn_plugins', 'tests.test_cast.queue_probe'], "
        'allow_failed_imports=False)\n'
        "custom_hooks = [dict(type='QueueProbeHook')]\n")
    work = tmp_path / 'work'
    run_tool(['tools/train.py', config, '--work-dir', work, '--cfg-options', *SMALL_RUN])

    scalars = [json.loads(line) for line in
               next(work.glob('*/vis_data/scalars.json')).read_text().splitlines()]
    assert len(scalars) == 2  # 16 images, 8 per step
    for entry in scalars:
        for key in ('loss', 'loss_moco', 'loss_cast'):
            assert np.isfinite(entry[key]), (key, entry)
        assert abs(entry['loss'] - entry['loss_moco'] - entry['loss_cast']) < 1e-4

    probes = json.loads((work / 'queue_probe.json').read_text())
    assert len(probes) == 2
    for probe in probes:
        assert probe['calls'] == 2  # one unmasked and one masked key pass
        assert probe['to_unmasked'] < 1e-5  # every enqueued key is an unmasked key
        assert probe['to_masked'] > 1e-3  # and none is a masked one


def test_cast_trains_under_ddp_with_batch_shuffling(tmp_path, shared_data):
    """Two gloo processes: MoCo's batch shuffle runs across ranks for both key passes."""
    import os
    import subprocess
    import sys

    from tests.test_engine.test_train_tools import free_port

    shared_data('bsds500')
    work = tmp_path / 'work'
    env = dict(os.environ, PYTHON=sys.executable, PORT=str(free_port()), OMP_NUM_THREADS='1',
               PYTHONPATH=str(REPO_ROOT))
    proc = subprocess.run(['bash', 'tools/dist_train.sh', CAST_CPU, '2', '--work-dir',
                           str(work), '--cfg-options', *SMALL_RUN],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    scalars = [json.loads(line) for line in
               next(work.glob('*/vis_data/scalars.json')).read_text().splitlines()]
    assert len(scalars) == 1  # 16 images over 2 processes of 8: one step
    assert np.isfinite(scalars[0]['loss_cast']) and np.isfinite(scalars[0]['loss_moco'])
