"""Resuming inside an epoch: kill -9 a real tools/train.py run, --resume it, and compare with
an uninterrupted run (iterations, data order, checkpoints, ETA)."""
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from mmengine.config import Config
from PIL import Image

import attn_plugins.engine.loops as loops
from tests.conftest import REPO_ROOT, run_doctests, run_tool

MOCO_CPU = REPO_ROOT / 'configs/mocov2/mocov2_resnet18_1xb32-coslr-4e_bsds-osie_cpu.py'
# 22 images, batches of 4, drop_last: 5 iterations per epoch, 3 epochs = 15 iterations.
NUM_IMAGES, EPOCH, EPOCHS = 22, 5, 3
KILL_AFTER, LAST_SAVED = 9, 8  # killed inside epoch 2, after its iteration-8 checkpoint

TINY_CONFIG = """
_base_ = [{base!r}]
custom_imports = dict(imports=['attn_plugins', 'tests.test_engine.probe_hooks'],
                      allow_failed_imports=False)
custom_hooks = [dict(type='BatchRecordHook')]
# The shipped CPU MoCo v2 config (its loop, runtime, hooks), shrunk: a ResNet-18 with 8 base
# channels on 32 px crops of generated images, 16-d keys.
model = dict(queue_len=16, feat_dim=16, backbone=dict(stem_channels=8, base_channels=8),
             neck=dict(in_channels=64, hid_channels=32, out_channels=16))
view = [dict(type='RandomResizedCrop', scale=32, crop_ratio_range=(0.5, 1.0), backend='pillow'),
        dict(type='RandomFlip', prob=0.5)]
train_dataloader = dict(
    batch_size=4, num_workers=1, persistent_workers=True, drop_last=True,
    dataset=dict(data_root={data!r}, img_dirs=['images'], pipeline=[
        dict(type='LoadImageFromFile'),
        dict(type='MultiView', num_views=2, transforms=[view]),
        dict(type='PackInputs')]))
train_cfg = dict(max_epochs={epochs})
param_scheduler = [dict(type='CosineAnnealingLR', T_max={epochs}, by_epoch=True, begin=0,
                        end={epochs})]
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(by_epoch=False, interval=2))
# As default_runtime: every run draws a seed (the test pins it on the first runs only).
randomness = dict(seed=None)
"""


def tiny_config(tmp_path):
    images = tmp_path / 'data' / 'images'
    images.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for i in range(NUM_IMAGES):
        Image.fromarray(rng.integers(0, 256, (40, 48, 3), dtype=np.uint8)).save(
            images / f'{i:02d}.png')
    path = tmp_path / 'tiny_moco.py'
    path.write_text(TINY_CONFIG.format(base=str(MOCO_CPU), data=f'{tmp_path / "data"}/',
                                       epochs=EPOCHS))
    return path


def records(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


def batches(records):
    """What was trained: iteration, epoch, batch index and dataset indices (not the ETA)."""
    return [{key: r[key] for key in ('iter', 'epoch', 'batch_idx', 'samples')} for r in records]


def tool_env():
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join([str(REPO_ROOT), env.get('PYTHONPATH', '')])
    return env


def run_until_paused_then_kill(args, work, log):
    """Start ``python args``; once its BatchRecordHook reports the pause, SIGKILL it."""
    work.mkdir(parents=True)
    with open(log, 'w') as out:
        proc = subprocess.Popen([sys.executable, *map(str, args)], cwd=REPO_ROOT,
                                env=tool_env(), stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 600
        while not (work / 'paused').exists():
            assert proc.poll() is None, f'the run ended before pausing:\n{log.read_text()[-5000:]}'
            assert time.monotonic() < deadline, 'the run did not reach the pause in 600 s'
            time.sleep(0.1)  # polling interval only: the hook holds the run at the pause
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=60) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_killed_run_resumes_to_the_configured_length_with_the_same_data(tmp_path):
    config = tiny_config(tmp_path)
    train = ['tools/train.py', config, '--work-dir']

    # The uninterrupted reference.
    reference_dir = tmp_path / 'reference'
    run_tool([*train, reference_dir, '--cfg-options', 'randomness.seed=7'])
    reference = records(reference_dir / 'batches.jsonl')
    assert [r['iter'] for r in reference] == list(range(1, EPOCH * EPOCHS + 1))
    # Shuffled per epoch: the skipped batches are not the same in every epoch.
    orders = [sum((r['samples'] for r in reference if r['epoch'] == e), []) for e in range(3)]
    assert len(set(map(tuple, orders))) == EPOCHS

    # The same run, SIGKILLed after iteration 9 (epoch 2, batch 4 of 5).
    work = tmp_path / 'work'
    run_until_paused_then_kill(
        [*train, work, '--cfg-options', 'randomness.seed=7', 'custom_hooks.0.out=killed.jsonl',
         f'custom_hooks.0.pause_after_iter={KILL_AFTER}'], work, tmp_path / 'killed.log')
    killed = records(work / 'killed.jsonl')
    assert [r['iter'] for r in killed] == list(range(1, KILL_AFTER + 1))
    assert (work / 'last_checkpoint').read_text().strip().endswith(f'iter_{LAST_SAVED}.pth')

    # --resume, as a user would: no seed on the command line (the checkpoint's is restored).
    proc = run_tool([*train, work, '--resume', '--cfg-options',
                     'custom_hooks.0.out=resumed.jsonl'])
    log = proc.stdout + proc.stderr
    assert f'resumed epoch: 1, iter: {LAST_SAVED}' in log
    resumed = records(work / 'resumed.jsonl')

    # It trained iterations 9..15 only, and exactly the batches of the uninterrupted run.
    assert [r['iter'] for r in resumed] == list(range(LAST_SAVED + 1, EPOCH * EPOCHS + 1))
    assert batches(killed[:LAST_SAVED] + resumed) == batches(reference)
    last = (work / 'last_checkpoint').read_text().strip()
    assert last.endswith(f'iter_{EPOCH * EPOCHS}.pth')
    import attn_plugins  # noqa: F401  (allow-lists mmengine's checkpoint classes)
    import torch
    assert torch.load(last, map_location='cpu', weights_only=True)['meta']['iter'] == 15

    # The ETA (seconds, IterTimerHook's) stays >= 0 and is 0 after the last iteration; with
    # mmengine's loop it goes negative past iteration 14 (logged as -1 day, 23:59:59).
    assert all(r['eta'] >= 0 for r in resumed) and resumed[-1]['eta'] == 0
    # One log line per resumed iteration, numbered within its epoch, the ETA logged as H:MM:SS.
    lines = re.findall(r'Epoch\(train\)\s*\[(\d+)\]\[\s*(\d+)/(\d+)\].*?eta: (-?[\w:, ]+?)  ',
                       log)
    assert [(int(e), int(i)) for e, i, _, _ in lines] == [(2, 4), (2, 5)] + [
        (3, i) for i in range(1, EPOCH + 1)]
    etas = [eta for *_, eta in lines]
    assert all(re.fullmatch(r'\d+:\d\d:\d\d', eta) for eta in etas), etas
    assert etas[-1] == '0:00:00'


def test_skip_first_batches_examples():
    run_doctests(loops)


def test_epoch_based_configs_use_the_resumable_loop():
    """Every shipped epoch-based config trains with ResumableEpochBasedTrainLoop."""
    offenders = []
    for path in sorted((REPO_ROOT / 'configs').rglob('*.py')):
        # configs/examples show a user's own config built on an upstream one; the README
        # says to name the loop there.
        if '_base_' in path.parts or 'examples' in path.parts:
            continue
        train_cfg = Config.fromfile(path).get('train_cfg') or {}
        epoch_based = (train_cfg.get('by_epoch') or 'max_epochs' in train_cfg
                       or 'Epoch' in train_cfg.get('type', ''))
        # mmengine's Runner refuses a loop config with both type and by_epoch.
        if epoch_based and (train_cfg.get('type') != 'ResumableEpochBasedTrainLoop'
                            or 'by_epoch' in train_cfg):
            offenders.append(f'{path.relative_to(REPO_ROOT)}: {dict(train_cfg)}')
    assert not offenders, '\n'.join(offenders)


class StubModel:
    """Records the batches it is trained on."""

    def __init__(self):
        self.seen = []

    def train(self):
        pass

    def train_step(self, data_batch, optim_wrapper):
        self.seen.append(data_batch.tolist())
        return {}


STUB_RUNS = itertools.count()


def stub_loop(num_workers=0, seed=3, sampler_seed=None):
    """A ResumableEpochBasedTrainLoop over 22 numbers in shuffled batches of 4 (5 per epoch)
    with mmengine's DefaultSampler, and a stub runner: no model, no hooks."""
    from types import SimpleNamespace

    from mmengine.dataset import DefaultSampler
    from mmengine.logging import MessageHub
    from torch.utils.data import DataLoader

    sampler = DefaultSampler(list(range(22)), seed=seed if sampler_seed is None else sampler_seed)
    loader = DataLoader(list(range(22)), batch_size=4, drop_last=True, sampler=sampler,
                        num_workers=num_workers, persistent_workers=num_workers > 0)
    runner = SimpleNamespace(seed=seed, model=StubModel(), optim_wrapper=None,
                             message_hub=MessageHub.get_instance(f'stub-{next(STUB_RUNS)}'),
                             call_hook=lambda *args, **kwargs: None)
    return loops.ResumableEpochBasedTrainLoop(runner, loader, max_epochs=2), runner, sampler


def epoch_order(sampler, epoch):
    sampler.set_epoch(epoch)
    indices = list(sampler)
    return [indices[i:i + 4] for i in range(0, 20, 4)]


@pytest.mark.parametrize('num_workers', [0, 2])
def test_resumed_epoch_leaves_out_the_trained_batches(num_workers):
    loop, runner, sampler = stub_loop(num_workers)
    # As Runner.resume leaves it after a checkpoint saved after batch 3 of epoch 2.
    loop._epoch, loop._iter = 1, 8
    runner.message_hub.update_info(loops.BATCHES_DONE_KEY, 3)
    loop.run_epoch()  # DistSamplerSeedHook would set the epoch; the stub has no hooks
    assert runner.model.seen == epoch_order(sampler, 0)[3:] and loop.iter == 10
    loop.run_epoch()  # the next epoch is whole again
    assert runner.model.seen[2:] == epoch_order(sampler, 0) and loop.iter == 15
    assert runner.message_hub.get_info(loops.BATCHES_DONE_KEY) == 0


def test_sampler_follows_the_resumed_seed_unless_the_config_set_its_own():
    loop, runner, sampler = stub_loop(seed=3)
    runner.seed = 11  # Runner.resume restored the checkpoint's seed after the loader was built
    loop._epoch = loop._max_epochs  # nothing left to train
    loop.run()
    assert sampler.seed == 11
    loop, runner, sampler = stub_loop(seed=3, sampler_seed=5)  # sampler=dict(seed=5) in a config
    runner.seed, loop._epoch = 11, loop._max_epochs
    loop.run()
    assert sampler.seed == 5


def test_checkpoint_position_that_does_not_fit_the_epoch():
    loop, runner, _ = stub_loop()
    runner.message_hub.update_info(loops.BATCHES_DONE_KEY, 6)  # an epoch has 5 batches now
    with pytest.raises(RuntimeError, match='trained 6 batches of epoch 1, but an epoch now has 5'):
        loop.run_epoch()
    # A checkpoint of mmengine's loop records no position: the epoch starts over, as there.
    loop, runner, _ = stub_loop()
    loop._epoch, loop._iter = 1, 8
    loop.run_epoch()
    assert len(runner.model.seen) == 5
