"""The registered CAST model: losses, queue contents, empty masks, gradients."""
import copy

import pytest
import torch
from mmengine.registry import DefaultScope
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import attn_plugins  # noqa: F401


def build_cast(**kwargs):
    cfg = dict(
        type='CAST', queue_len=16, feat_dim=8, momentum=0.01,
        backbone=dict(type='ResNet', depth=18, stem_channels=8, base_channels=8,
                      norm_cfg=dict(type='BN')),
        neck=dict(type='LinearNeck', in_channels=64, out_channels=8, gap_dim=2,
                  norm_cfg=None),
        head=dict(type='ContrastiveHead', loss=dict(type='CrossEntropyLoss'),
                  temperature=0.2))
    cfg.update(kwargs)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return MODELS.build(cfg)


def batch(empty=(False, False, False, False), seed=0):
    torch.manual_seed(seed)
    im_q, im_k = torch.randn(4, 3, 64, 64), torch.randn(4, 3, 64, 64)
    samples = []
    for i, is_empty in enumerate(empty):
        saliency = torch.zeros(2, 64, 64)
        if not is_empty:
            saliency[:, 8 + i:40 + i, 16:48] = 1.0
        sample = DataSample()
        sample.set_field(saliency, 'saliency')
        sample.set_field(torch.tensor([is_empty, is_empty]), 'saliency_empty')
        samples.append(sample)
    return [im_q, im_k], samples


def test_losses_are_finite_weighted_and_both_reported():
    model = build_cast()
    weighted = build_cast(ssl_weight=0.25, cast_weight=0.75)
    weighted.load_state_dict(model.state_dict())
    inputs, samples = batch()
    losses = model.loss(*copy.deepcopy((inputs, samples)))
    scaled = weighted.loss(*copy.deepcopy((inputs, samples)))
    assert set(losses) == {'loss_moco', 'loss_cast'}
    assert all(torch.isfinite(v) for v in losses.values())
    assert 0 < losses['loss_cast'].item() < 2  # 1 - cosine of non-negative maps
    assert scaled['loss_moco'].item() == pytest.approx(0.25 * losses['loss_moco'].item(),
                                                       rel=1e-5)
    assert scaled['loss_cast'].item() == pytest.approx(0.75 * losses['loss_cast'].item(),
                                                       rel=1e-5)


def test_queue_holds_the_unmasked_keys_only():
    from attn_plugins.cast import mask_background

    model = build_cast()
    inputs, samples = batch()
    model.loss(inputs, samples)
    enqueued = model.queue[:, :4].T  # first batch written at pointer 0
    unmasked = model._momentum_keys(inputs[1])
    masks = torch.stack([s.saliency[1] for s in samples]) > 0.5
    masked = model._momentum_keys(mask_background(inputs[1], masks))
    torch.testing.assert_close(enqueued, unmasked)
    assert not torch.allclose(enqueued, masked, atol=1e-3)
    assert int(model.queue_ptr) == 4


def test_empty_masks_are_left_out_of_the_grad_cam_loss():
    model = build_cast()
    losses = model.loss(*batch(empty=(True, True, True, True)))
    assert losses['loss_cast'].item() == 0
    # one empty sample: the loss equals that of the three others alone
    partial = build_cast()
    partial.load_state_dict(model.state_dict())
    inputs, samples = batch(empty=(False, True, False, False), seed=1)
    assert torch.isfinite(partial.loss(inputs, samples)['loss_cast'])


def test_grad_cam_loss_reaches_the_backbone_and_the_neck():
    model = build_cast(ssl_weight=0.0)
    losses = model.loss(*batch())
    losses['loss_cast'].backward()
    assert model.backbone.conv1.weight.grad.abs().sum() > 0
    assert model.neck.fc.weight.grad.abs().sum() > 0  # second-order path through the neck


def test_flattened_batch_cosine_option():
    model = build_cast(cosine='batch')
    assert torch.isfinite(model.loss(*batch())['loss_cast'])
