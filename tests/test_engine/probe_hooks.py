"""Test-only hooks that record what a training run did, for tests that drive tools/*.py."""
import json
import os.path as osp

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
