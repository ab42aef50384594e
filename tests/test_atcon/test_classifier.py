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


def build(mode='consistency', **kwargs):
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='ATCONClassifier', mode=mode,
        backbone=dict(type='ResNet', depth=18, stem_channels=8, base_channels=8,
                      strides=(1, 2, 2, 1), dilations=(1, 1, 1, 2)),
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


def test_combined_mode_adds_the_weighted_consistency(images):
    model = build('combined', alpha=0.5)
    before = running_stats(model)
    losses = model.loss(images, samples(4))
    assert set(losses) == {'loss_cls', 'loss_consistency'}
    # The BCE pass ran in train mode: it moved the running statistics.
    assert not all(torch.equal(a, b) for a, b in zip(before, running_stats(model)))
    model.eval()
    consistency = attention_consistency(model.activations_and_logits, images).mean()
    torch.testing.assert_close(losses['loss_consistency'], -0.5 * consistency)


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
    plain = build(predict_attention=False).eval()
    assert 'attention_consistency' not in plain.predict(images, samples(4))[0]
