"""Test-only hooks that record what a training run did, for tests that drive tools/*.py."""
import json
import os.path as osp
import time

import torch
from mmengine.dist import get_rank, get_world_size
from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS


@HOOKS.register_module()
class ProbeHook(Hook):
    """Writes the state right after resuming, and which rank saved checkpoints / finished."""

    priority = 'LOWEST'

    def __init__(self):
        self.saves = 0

    def before_train(self, runner):
        if get_rank() == 0:
            torch.save(
                dict(iter=runner.iter, epoch=runner.epoch,
                     model=runner.model.state_dict(),
                     optimizer=runner.optim_wrapper.state_dict()),
                osp.join(runner.work_dir, 'probe_before_train.pth'))

    def before_save_checkpoint(self, runner, checkpoint):
        self.saves += 1

    def after_run(self, runner):
        with open(osp.join(runner.work_dir, f'probe_rank{get_rank()}.json'), 'w') as f:
            json.dump(dict(rank=get_rank(), world_size=get_world_size(), iter=runner.iter,
                           checkpoint_saves=self.saves), f)


@HOOKS.register_module()
class BatchRecordHook(Hook):
    """Appends, after every training iteration, the iteration, the dataset indices of its batch
    and the ETA to ``<work_dir>/<out>`` (one JSON line, flushed at once, so the lines of a killed
    run survive); with ``pause_after_iter=N`` it then blocks after iteration N, waiting for the
    test to kill the process (it gives up with an error after ``pause_timeout`` seconds)."""

    priority = 'LOWEST'  # after CheckpointHook: the pause comes after that iteration's save

    def __init__(self, out='batches.jsonl', pause_after_iter=None, pause_timeout=300):
        self.out, self.pause_after_iter, self.pause_timeout = out, pause_after_iter, pause_timeout

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        done = runner.iter + 1  # runner.iter counts up after the hooks
        record = dict(iter=done, epoch=runner.epoch, batch_idx=batch_idx,
                      samples=[int(s.sample_idx) for s in data_batch['data_samples']],
                      eta=runner.message_hub.get_info('eta'))  # IterTimerHook's, in seconds
        with open(osp.join(runner.work_dir, self.out), 'a') as f:
            f.write(json.dumps(record) + '\n')
        if done == self.pause_after_iter:
            with open(osp.join(runner.work_dir, 'paused'), 'w') as f:
                f.write(str(done))
            deadline = time.monotonic() + self.pause_timeout
            while time.monotonic() < deadline:
                time.sleep(0.2)
            raise RuntimeError(f'BatchRecordHook: nobody killed the run paused after '
                               f'iteration {done} within {self.pause_timeout} s')
