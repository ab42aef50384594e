"""Test-only hook: checks, every iteration, that CAST enqueued unmasked keys only."""
import json
import os.path as osp

import torch
import torch.nn.functional as F
from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS


@HOOKS.register_module()
class QueueProbeHook(Hook):
    """The key encoder runs twice per iteration (unmasked keys, then masked keys); the queue
    columns written in the iteration must match the first call's embeddings."""

    def before_train(self, runner):
        self.records, self.calls = [], []
        runner.model.encoder_k.register_forward_hook(
            lambda module, args, output: self.calls.append(F.normalize(output[0].detach(), dim=1)))

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.calls.clear()
        self.pointer = int(runner.model.queue_ptr)

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        unmasked, masked = self.calls
        enqueued = runner.model.queue[:, self.pointer:self.pointer + len(unmasked)].T
        self.records.append(dict(
            calls=len(self.calls),
            to_unmasked=torch.cdist(enqueued, unmasked).min(dim=1).values.max().item(),
            to_masked=torch.cdist(enqueued, masked).min(dim=1).values.min().item()))

    def after_run(self, runner):
        with open(osp.join(runner.work_dir, 'queue_probe.json'), 'w') as f:
            json.dump(self.records, f)
