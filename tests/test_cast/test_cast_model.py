"""CAST = mmpretrain's MoCo + the CASTGroundingLoss plugin: losses, queue contents, empty
masks, gradients."""
import copy

import pytest
import torch
from mmengine.registry import DefaultScope
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import attn_plugins  # noqa: F401


LOSS_ARGS = ('cosine', 'target_resize', 'release_compat')


def build_cast(ssl_weight=1.0, cast_weight=1.0, **kwargs):
    cast = dict(type='CASTGroundingLoss', loss_weight=cast_weight,
                **{k: kwargs.pop(k) for k in LOSS_ARGS if k in kwargs})
    cfg = dict(
        type='GuidedMoCo', queue_len=16, feat_dim=8, momentum=0.01,
        algorithm_weight=ssl_weight, attention_losses=dict(cast=cast),
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
    assert set(losses) == {'loss_moco', 'loss_cast', 'cast_valid'}
    assert all(torch.isfinite(v) for v in losses.values())
    assert losses['cast_valid'].item() == 1.0
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
    unmasked = model.key_embeddings(inputs[1])
    masks = torch.stack([s.saliency[1] for s in samples]) > 0.5
    masked = model.key_embeddings(mask_background(inputs[1], masks))
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


def with_masks(samples, index, query=None, key=None):
    """A copy of ``samples`` where sample ``index`` gets new query / key masks."""
    samples = copy.deepcopy(samples)
    saliency = samples[index].saliency.clone()
    if query is not None:
        saliency[0] = query
    if key is not None:
        saliency[1] = key
    samples[index].set_field(saliency, 'saliency')
    return samples


def test_an_empty_key_mask_leaves_the_sample_out_and_is_logged():
    """The masked key of an empty key mask is a constant image: no grounding signal."""
    model = build_cast()
    inputs, samples = batch()
    other_query = torch.zeros(64, 64)
    other_query[40:60, 2:20] = 1
    no_key = with_masks(samples, 3, key=torch.zeros(64, 64))
    results = []
    for query in (None, other_query):
        probe = copy.deepcopy(model)
        results.append(probe.loss(copy.deepcopy(inputs), with_masks(no_key, 3, query=query)))
    assert results[0]['cast_valid'].item() == pytest.approx(0.75)
    # sample 3's query target no longer matters: it is out of the loss
    assert results[0]['loss_cast'].item() == pytest.approx(results[1]['loss_cast'].item(),
                                                           abs=1e-6)
    # ... while with its key mask kept, changing its query target changes the loss
    kept = [copy.deepcopy(model).loss(copy.deepcopy(inputs), with_masks(samples, 3, query=q))
            for q in (None, other_query)]
    assert kept[0]['cast_valid'].item() == 1.0
    assert abs(kept[0]['loss_cast'].item() - kept[1]['loss_cast'].item()) > 1e-4


def test_a_query_target_empty_on_the_grid_is_left_out():
    """A 2x2 object that the release's point sampling misses on the 2x2 grid of 64 px."""
    inputs, samples = batch()
    tiny = torch.zeros(64, 64)
    tiny[20:22, 20:22] = 1  # align_corners=True samples rows/columns 0 and 63 only
    samples = with_masks(samples, 0, query=tiny)
    for i in (1, 2, 3):  # masks covering the grid's sample points
        samples = with_masks(samples, i, query=torch.ones(64, 64))
    area = build_cast()
    point = build_cast(target_resize='bilinear')
    point.load_state_dict(area.state_dict())
    assert area.loss(copy.deepcopy(inputs), copy.deepcopy(samples))['cast_valid'].item() == 1.0
    assert point.loss(copy.deepcopy(inputs), samples)['cast_valid'].item() == 0.75


def release_loss(model, inputs, samples):
    """CAST's Grad-CAM loss as the released code computes it (main_cast.py, grad_cam.py).

    The gradient of the masked forward's logits (``q . k_masked / T``, one-hot on the
    positive column) with respect to layer4; channel weights by adaptive average pooling;
    ReLU, min-max scaling with 1e-7; the binary query mask resized to the grid by bilinear
    interpolation with ``align_corners=True``; one cosine over the flattened batch. Runs on
    the state ``model`` has before its own ``loss`` call (one EMA step first, as there).
    """
    im_q, im_k = inputs
    saliency = torch.stack([s.saliency for s in samples])
    mask_q, mask_k = (saliency[:, 0] > 0.5).float(), saliency[:, 1] > 0.5
    layer4 = model.backbone(im_q)[-1]
    q = torch.nn.functional.normalize(model.neck((layer4,))[0], dim=1)
    with torch.no_grad():
        model.encoder_k.update_parameters(torch.nn.Sequential(model.backbone, model.neck))
        k_masked = torch.nn.functional.normalize(
            model.encoder_k(im_k * mask_k[:, None])[0], dim=1)
    logits = torch.cat([(q * k_masked).sum(1, keepdim=True),
                        q @ model.queue.clone().detach()], dim=1) / model.head.temperature
    one_hot = torch.zeros_like(logits)
    one_hot[:, 0] = 1
    grads, = torch.autograd.grad(logits, layer4, grad_outputs=one_hot, create_graph=True)
    gcam = torch.relu((layer4 * torch.nn.functional.adaptive_avg_pool2d(grads, 1))
                      .sum(dim=1, keepdim=True))
    b = gcam.shape[0]
    flat = gcam.view(b, -1)
    flat = flat - flat.min(dim=1, keepdim=True)[0]
    flat = flat / (flat.max(dim=1, keepdim=True)[0] + 1e-7)
    target = torch.nn.functional.interpolate(mask_q[:, None], size=layer4.shape[-2:],
                                             mode='bilinear', align_corners=True)
    return 1 - torch.nn.functional.cosine_similarity(flat.view(1, -1), target.view(1, -1))


def test_release_compat_reproduces_the_released_loss_on_a_fixed_batch():
    torch.manual_seed(3)
    model = build_cast(release_compat=True, backbone=dict(
        type='ResNet', depth=18, stem_channels=8, base_channels=8, norm_cfg=dict(type='BN')))
    im_q, im_k = torch.randn(4, 3, 128, 128), torch.randn(4, 3, 128, 128)
    samples = []
    for i, (top, left, size) in enumerate([(8, 16, 64), (40, 0, 80), (0, 60, 60),
                                           (70, 70, 50)]):
        saliency = torch.zeros(2, 128, 128)
        saliency[0, top:top + size, left:left + size] = 1.0
        saliency[1, 128 - top - size:128 - top, left:left + size] = 1.0
        sample = DataSample()
        sample.set_field(saliency, 'saliency')
        sample.set_field(torch.tensor([False, False]), 'saliency_empty')
        samples.append(sample)
    snapshot = copy.deepcopy(model)
    expected = release_loss(copy.deepcopy(model), [im_q, im_k], samples)
    ours = model.loss([im_q, im_k], copy.deepcopy(samples))
    assert ours['cast_valid'].item() == 1.0
    assert ours['loss_cast'].item() == pytest.approx(expected.item(), abs=1e-5)
    # the defaults (per-sample cosine, area target) compute a different number
    default = build_cast(backbone=dict(type='ResNet', depth=18, stem_channels=8,
                                       base_channels=8, norm_cfg=dict(type='BN')))
    default.load_state_dict(snapshot.state_dict())
    other = default.loss([im_q, im_k], samples)['loss_cast'].item()
    assert abs(other - expected.item()) > 1e-4


def test_release_compat_refuses_conflicting_choices():
    with pytest.raises(ValueError, match='release_compat=True uses'):
        build_cast(release_compat=True, cosine='per_sample')
    loss = build_cast(release_compat=True, cosine='batch').attention_losses.cast
    assert (loss.cosine, loss.target_resize) == ('batch', 'bilinear')
    loss = build_cast().attention_losses.cast
    assert (loss.cosine, loss.target_resize) == ('per_sample', 'area')


def test_coarse_maps_give_the_loss_of_the_full_size_masks():
    """A crop's map_size keeps maps at a quarter of the view; CAST resizes them back
    (bilinear, then the 0.5 threshold). A salient block on the 4-pixel lattice comes back as
    the full-size block without its four corner pixels: (x + 0.5) / 4 - 0.5 puts an edge's
    last outside pixel at 0.375 and its first inside pixel at 0.625 of the way from
    background to object, and a corner pixel at 0.625 ** 2 = 0.39."""
    model = build_cast()
    twin = build_cast()
    twin.load_state_dict(model.state_dict())
    torch.manual_seed(0)
    inputs = [torch.randn(4, 3, 64, 64), torch.randn(4, 3, 64, 64)]
    full, coarse = [], []
    for i in range(4):
        big, small = torch.zeros(2, 64, 64), torch.zeros(2, 16, 16)
        big[:, 8 + 4 * i:40, 16:48] = 1.0
        for row, col in ((8 + 4 * i, 16), (8 + 4 * i, 47), (39, 16), (39, 47)):
            big[:, row, col] = 0.0
        small[:, 2 + i:10, 4:12] = 1.0
        for maps, samples in ((big, full), (small, coarse)):
            sample = DataSample()
            sample.set_field(maps, 'saliency')
            sample.set_field(torch.tensor([False, False]), 'saliency_empty')
            samples.append(sample)
    expected = model.loss(*copy.deepcopy((inputs, full)))
    got = twin.loss(*copy.deepcopy((inputs, coarse)))
    for key in expected:
        torch.testing.assert_close(got[key], expected[key], rtol=1e-6, atol=1e-6)
