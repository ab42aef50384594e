"""ATCONClassifier: registration, training modes, BatchNorm handling, attention outputs."""
import pytest
import torch

pytest.importorskip('mmpretrain')

from mmengine.registry import init_default_scope  # noqa: E402
from mmpretrain.registry import MODELS  # noqa: E402
from mmpretrain.structures import DataSample  # noqa: E402
from torch.nn.modules.batchnorm import _BatchNorm  # noqa: E402

import attn_plugins  # noqa: E402,F401  (registers ATCONClassifier)
from attn_plugins.atcon import attention_consistency  # noqa: E402


def build(mode='consistency', backbone_conv_cfg=None, **kwargs):
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='ATCONClassifier', mode=mode,
        backbone=dict(type='ResNet', depth=18, stem_channels=8, base_channels=8,
                      strides=(1, 2, 2, 1), dilations=(1, 1, 1, 2),
                      conv_cfg=backbone_conv_cfg),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='MultiLabelLinearClsHead', num_classes=3, in_channels=64),
        data_preprocessor=dict(num_classes=3, to_onehot=True), **kwargs))
    model.init_weights()
    return model.train()


def samples(n, labeled=None):
    out = [DataSample().set_gt_label([i % 3]) for i in range(n)]
    if labeled is not None:
        for sample in out:
            sample.set_metainfo(dict(labeled=labeled))
    return out


def running_stats(model):
    return [m.running_mean.clone() for m in model.modules() if isinstance(m, _BatchNorm)]


@pytest.fixture
def images():
    torch.manual_seed(1)
    return torch.randn(4, 3, 48, 48)


def test_registered_and_validated():
    assert MODELS.get('ATCONClassifier') is attn_plugins.atcon.classifier.ATCONClassifier
    with pytest.raises(ValueError, match='mode'):
        build(mode='supervised')
    with pytest.raises(ValueError, match='alpha'):
        build(alpha=-1.0)


def test_consistency_step_runs_batchnorm_in_eval_mode_and_restores_it(images):
    model = build('consistency')
    before = running_stats(model)
    losses = model.loss(images, samples(4))
    assert set(losses) == {'loss_consistency'}
    losses['loss_consistency'].backward()
    # Running statistics untouched (eval-mode BN), train mode back afterwards.
    assert all(torch.equal(a, b) for a, b in zip(before, running_stats(model)))
    assert all(m.training for m in model.modules())
    assert model.backbone.conv1.weight.grad.abs().sum() > 0
    expected = attention_consistency(model.eval().activations_and_logits, images).mean()
    torch.testing.assert_close(losses['loss_consistency'], -expected)


def test_combined_mode_takes_bce_on_labelled_and_consistency_on_unlabelled_samples(
        images, monkeypatch):
    import attn_plugins.atcon.classifier as classifier_module
    model = build('combined', alpha=0.5)
    before = running_stats(model)
    # Labelled, unlabelled, labelled, unlabelled: the split must follow the flags.
    batch = [DataSample(metainfo=dict(labeled=flag)).set_gt_label([i % 3])
             for i, flag in enumerate((True, False, True, False))]
    seen = {}
    real_consistency = classifier_module.consistency_loss
    real_head_loss = model.head.loss

    def record_consistency(model_fn, inputs, **kwargs):
        seen['consistency'] = inputs
        return real_consistency(model_fn, inputs, **kwargs)

    def record_head(feats, data_samples, **kwargs):
        seen['head'] = [s.gt_label.tolist() for s in data_samples]
        return real_head_loss(feats, data_samples, **kwargs)

    monkeypatch.setattr(classifier_module, 'consistency_loss', record_consistency)
    monkeypatch.setattr(model.head, 'loss', record_head)
    losses = model.loss(images, batch)
    assert set(losses) == {'loss_cls', 'loss_consistency'}
    assert torch.equal(seen['consistency'], images[[1, 3]])
    assert seen['head'] == [[0], [2]]
    # The BCE pass ran in train mode: it moved the running statistics.
    assert not all(torch.equal(a, b) for a, b in zip(before, running_stats(model)))
    model.eval()
    consistency = attention_consistency(model.activations_and_logits, images[[1, 3]]).mean()
    torch.testing.assert_close(losses['loss_consistency'], -0.5 * consistency)
    targets = torch.zeros(2, 3)
    targets[0, 0] = targets[1, 2] = 1
    # The BCE of the two labelled images, in train mode (batch statistics of those two):
    # mmpretrain's sigmoid loss sums over classes and averages over samples.
    model.train()
    with torch.no_grad():
        scores = model.head(model.neck(model.backbone(images[[0, 2]])))
    bce = torch.nn.functional.binary_cross_entropy_with_logits(scores, targets,
                                                               reduction='sum') / 2
    torch.testing.assert_close(losses['loss_cls'], bce, rtol=1e-4, atol=1e-5)


def test_combined_mode_needs_flagged_mixed_batches(images):
    model = build('combined')
    with pytest.raises(ValueError, match='ATCONCombinedLoop'):
        model.loss(images, samples(4))
    with pytest.raises(ValueError, match='labelled and unlabelled'):
        model.loss(images, samples(4, labeled=True))


def test_alternating_mode_follows_the_flag(images):
    model = build('alternating')
    assert set(model.loss(images, samples(4, labeled=True))) == {'loss_cls'}
    assert set(model.loss(images, samples(4, labeled=False))) == {'loss_consistency'}
    with pytest.raises(ValueError, match='ATCONAlternatingLoop'):
        model.loss(images, samples(4))
    mixed = samples(2, labeled=True) + samples(2, labeled=False)
    with pytest.raises(ValueError, match='mixes'):
        model.loss(images, mixed)


def test_predict_adds_attention_outputs(images):
    model = build().eval()
    with torch.no_grad():  # as in a validation loop
        results = model.predict(images, samples(4))
    corr, maps = attention_consistency(model.activations_and_logits, images,
                                       create_graph=False, return_maps=True)
    for i, sample in enumerate(results):
        assert sample.pred_score.shape == (3, )
        torch.testing.assert_close(sample.attention_consistency, corr[i])
        assert sample.grad_cam.shape == (3, 3) and not sample.grad_cam.requires_grad
        assert sample.attention_class == int(sample.pred_score.argmax())
        torch.testing.assert_close(sample.mask_binariness,
                                   (2 * maps['mask'][i] - 1).abs().mean())
    plain = build(predict_attention=False).eval()
    assert 'attention_consistency' not in plain.predict(images, samples(4))[0]


def test_reflect_padding_reaches_every_padded_convolution(images):
    model = build(backbone_conv_cfg=dict(type='Conv2d', padding_mode='reflect'))
    convs = [m for m in model.backbone.modules() if isinstance(m, torch.nn.Conv2d)]
    padded = [m for m in convs if any(p > 0 for p in m.padding)]
    assert len(padded) >= 17  # stem + two 3x3 convs in each of the 8 basic blocks
    assert all(m.padding_mode == 'reflect' for m in padded)
    # And the forward pass really reflects: the stem against an explicit reflect pad.
    stem = model.backbone.conv1
    pad = stem.padding
    expected = torch.nn.functional.conv2d(
        torch.nn.functional.pad(images, (pad[1], pad[1], pad[0], pad[0]), mode='reflect'),
        stem.weight, stem.bias, stride=stem.stride)
    torch.testing.assert_close(stem(images), expected)
    zero = torch.nn.functional.conv2d(images, stem.weight, stem.bias, stride=stem.stride,
                                      padding=pad)
    assert not torch.allclose(stem(images), zero)
