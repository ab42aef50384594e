"""Attention losses as plugins: the view bookkeeping, composition, and each loss on the
algorithms it attaches to, against computations written out by hand."""
import copy

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import attn_plugins  # noqa: F401
from attn_plugins.atcon import batchnorm_eval, consistency_loss
from attn_plugins.cast import cast_map_loss, mask_background
from attn_plugins.guidance import view_rows
from tests.conftest import REPO_ROOT

TINY_RESNET = dict(type='ResNet', depth=18, stem_channels=8, base_channels=8,
                   norm_cfg=dict(type='BN'))
CAST = dict(type='CASTGroundingLoss')
TEACHER = dict(type='TeacherAttentionLoss', layer='backbone.layer3',
               attn_head=dict(type='SpatialAttentionHead', in_channels=32, hid_channels=8))


def build(cfg):
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        torch.manual_seed(0)
        return MODELS.build(cfg)


def moco(**losses):
    return build(dict(
        type='GuidedMoCo', queue_len=16, feat_dim=8, momentum=0.01, backbone=TINY_RESNET,
        neck=dict(type='MoCoV2Neck', in_channels=64, hid_channels=16, out_channels=8,
                  with_avg_pool=True),
        head=dict(type='ContrastiveHead', loss=dict(type='CrossEntropyLoss'), temperature=0.2),
        attention_losses=losses))


def simclr(**losses):
    return build(dict(
        type='GuidedSimCLR', backbone=TINY_RESNET,
        neck=dict(type='NonLinearNeck', in_channels=64, hid_channels=16, out_channels=8,
                  num_layers=2, with_avg_pool=True),
        head=dict(type='ContrastiveHead', loss=dict(type='CrossEntropyLoss'), temperature=0.1),
        attention_losses=losses))


def two_views(num=4, size=64, seed=0):
    generator = torch.Generator().manual_seed(seed)
    views = [torch.randn(num, 3, size, size, generator=generator) for _ in range(2)]
    samples = []
    for i in range(num):
        saliency = torch.zeros(2, size, size)
        saliency[0, 8 + 2 * i:40, 12:44 - i] = 1.0
        saliency[1, 20:56, 4 + 3 * i:36 + i] = 1.0
        sample = DataSample()
        sample.set_field(saliency, 'saliency')
        sample.set_field(torch.tensor([False, False]), 'saliency_empty')
        samples.append(sample)
    return views, samples


def test_view_rows_for_each_layout():
    views = [torch.zeros(3, 1), torch.zeros(3, 1)]
    rows = view_rows(views, [views[1], views[0]], 'separate')
    assert {v: (call, index.tolist()) for v, (call, index) in rows.items()} == {
        1: (0, [0, 1, 2]), 0: (1, [0, 1, 2])}
    stacked = [torch.zeros(6, 1)]
    assert [view_rows(views, stacked, 'interleaved')[v][1].tolist() for v in (0, 1)] == [
        [0, 2, 4], [1, 3, 5]]
    assert [view_rows(views, stacked, 'concatenated')[v][1].tolist() for v in (0, 1)] == [
        [0, 1, 2], [3, 4, 5]]
    with pytest.raises(ValueError, match="view_layout='interleaved'"):
        view_rows(views, stacked, 'separate')
    with pytest.raises(ValueError, match='expects one backbone call on 2 x 3'):
        view_rows(views, [torch.zeros(4, 1)], 'interleaved')
    with pytest.raises(ValueError, match='view_layout must be one of'):
        view_rows(views, stacked, 'diagonal')


def test_composed_losses_log_every_term_and_each_equals_its_loss_alone():
    composed = moco(cast=CAST, teacher=TEACHER)
    views, samples = two_views()
    before = copy.deepcopy(composed.state_dict())  # the loss steps the EMA and the queue
    losses = composed.loss(*copy.deepcopy((views, samples)))
    assert set(losses) == {'loss_moco', 'loss_cast', 'cast_valid', 'loss_attn_kld',
                           'loss_attn_nss'}
    for name, keys in (('cast', ('loss_cast', 'cast_valid')),
                       ('teacher', ('loss_attn_kld', 'loss_attn_nss'))):
        alone = moco(**{name: CAST if name == 'cast' else TEACHER})
        state = {k: v for k, v in before.items()
                 if not k.startswith('attention_losses.') or k.startswith(
                     f'attention_losses.{name}.')}
        alone.load_state_dict(state)
        single = alone.loss(*copy.deepcopy((views, samples)))
        assert set(single) == {'loss_moco', *keys}
        for key in ('loss_moco', *keys):
            torch.testing.assert_close(single[key], losses[key])
    sum(v for k, v in losses.items() if k.startswith('loss')).backward()
    assert composed.attention_losses.teacher.attn_head.layers[0].weight.grad.abs().sum() > 0


def test_a_loss_is_turned_off_by_name_from_the_command_line():
    path = (REPO_ROOT / 'configs/composed/'
            'cast-teacher-attn-mocov2_resnet18_1xb32-coslr-30e_bsds-sod_cpu.py')
    cfg = Config.fromfile(path)
    assert set(cfg.model.attention_losses) == {'cast', 'teacher'}
    cfg.merge_from_dict({'model.attention_losses.cast': None})
    model = build(cfg.model)
    assert list(model.attention_losses) == ['teacher']
    views, samples = two_views(size=96)
    assert set(model.loss(views, samples)) == {'loss_moco', 'loss_attn_kld', 'loss_attn_nss'}


def test_cast_on_simclr_matches_grad_cam_written_out():
    """SimCLR interleaves its views in one batch and has no momentum encoder: view v's score
    is its projection against the online encoder's embedding of the other view, masked."""
    model = simclr(cast=CAST).eval()  # BatchNorm in eval mode: samples independent
    views, samples = two_views()
    losses = model.loss(*copy.deepcopy((views, samples)))

    masks = torch.stack([s.saliency for s in samples]) > 0.5  # (N, V, H, W)
    batch = torch.stack(views, 1).flatten(0, 1)  # sample-major: row 2 n + v
    feats = model.backbone(batch)[-1]
    z = F.normalize(model.neck([feats])[0], dim=1)
    scores = []
    for view in (0, 1):
        with torch.no_grad():
            keys = F.normalize(model.neck(model.backbone(
                mask_background(views[1 - view], masks[:, 1 - view])))[0], dim=1)
        scores.append((z[view::2] * keys).sum(dim=1))
    grads, = torch.autograd.grad(sum(s.sum() for s in scores), feats)
    cams = F.relu((grads.mean(dim=(2, 3), keepdim=True) * feats).sum(dim=1))
    flat = cams.flatten(1)
    flat = flat - flat.min(dim=1, keepdim=True).values
    cams = (flat / (flat.max(dim=1, keepdim=True).values + 1e-7)).view_as(cams)
    expected = torch.stack([cast_map_loss(cams[view::2], masks[:, view].float())
                            for view in (0, 1)]).mean()
    assert losses['loss_cast'].item() == pytest.approx(expected.item(), rel=1e-5)
    assert losses['cast_valid'].item() == 1.0


def test_masked_keys_leave_simclr_batchnorm_statistics_alone():
    guided, plain = simclr(cast=CAST), simclr()
    views, samples = two_views()
    guided.loss(*copy.deepcopy((views, samples)))
    plain.loss(*copy.deepcopy((views, samples)))
    for (name, ours), (_, theirs) in zip(guided.backbone.named_buffers(),
                                         plain.backbone.named_buffers()):
        torch.testing.assert_close(ours, theirs, msg=name)


def tiny_vit():
    return dict(type='VisionTransformer', arch=dict(embed_dims=32, num_layers=2, num_heads=2,
                                                    feedforward_channels=64),
                img_size=32, patch_size=8, out_type='cls_token')


@pytest.mark.parametrize('algorithm', ['GuidedMoCoV3', 'GuidedBYOL'])
def test_cast_on_two_online_views_reaches_the_backbone(algorithm):
    if algorithm == 'GuidedMoCoV3':  # a ViT: Grad-CAM on the last block's patch tokens
        cfg = dict(type='GuidedMoCoV3', base_momentum=0.01, backbone=tiny_vit(),
                   neck=dict(type='NonLinearNeck', in_channels=32, hid_channels=16,
                             out_channels=8, num_layers=2, with_avg_pool=False),
                   head=dict(type='MoCoV3Head', predictor=dict(
                       type='NonLinearNeck', in_channels=8, hid_channels=16, out_channels=8,
                       num_layers=2, with_avg_pool=False),
                       loss=dict(type='CrossEntropyLoss', loss_weight=2.), temperature=0.2),
                   attention_losses=dict(cast=dict(CAST, layer='backbone.layers.1.ln1',
                                                   tokens=dict(num_extra_tokens=1))))
    else:
        cfg = dict(type='GuidedBYOL', backbone=TINY_RESNET,
                   neck=dict(type='NonLinearNeck', in_channels=64, hid_channels=16,
                             out_channels=8, num_layers=2, with_avg_pool=True),
                   head=dict(type='LatentPredictHead', predictor=dict(
                       type='NonLinearNeck', in_channels=8, hid_channels=16, out_channels=8,
                       num_layers=2, with_avg_pool=False),
                       loss=dict(type='CosineSimilarityLoss')),
                   attention_losses=dict(cast=CAST))
    model = build(cfg)
    # 32 px: a 4 x 4 token grid; 64 px: a 2 x 2 grid on the tiny ResNet's last stage
    views, samples = two_views(size=32 if algorithm == 'GuidedMoCoV3' else 64)
    losses = model.loss(views, samples)
    algorithm_key = 'loss_mocov3' if algorithm == 'GuidedMoCoV3' else 'loss_byol'
    assert set(losses) == {algorithm_key, 'loss_cast', 'cast_valid'}
    assert 0 < losses['loss_cast'].item() < 2 and losses['cast_valid'].item() == 1.0
    losses['loss_cast'].backward()
    stem = (model.backbone.patch_embed.projection if algorithm == 'GuidedMoCoV3'
            else model.backbone.conv1)
    assert stem.weight.grad.abs().sum() > 0


def test_atcon_consistency_on_a_classifier_is_the_pure_loss():
    model = build(dict(
        type='GuidedImageClassifier', backbone=TINY_RESNET, neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=3, in_channels=64),
        attention_losses=dict(atcon=dict(type='ATCONConsistencyLoss', loss_weight=0.5))))
    torch.manual_seed(1)
    images = torch.randn(3, 3, 32, 32)
    samples = [DataSample().set_gt_label(i) for i in range(3)]
    losses = model.loss(images, samples)
    assert set(losses) == {'loss_cls', 'loss_consistency'}

    def activations_and_logits(x):
        feats = model.backbone(x)
        return feats[-1], model.head(model.neck(feats))

    with batchnorm_eval(model):
        expected = consistency_loss(activations_and_logits, images)
    assert losses['loss_consistency'].item() == pytest.approx(0.5 * expected.item(), rel=1e-5)


def test_cast_on_a_classifier_explains_the_label_logit():
    model = build(dict(
        type='GuidedImageClassifier', backbone=TINY_RESNET, neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=3, in_channels=64),
        attention_losses=dict(cast=CAST))).eval()
    views, samples = two_views(num=3)
    for i, sample in enumerate(samples):
        sample.set_gt_label(i)
        sample.set_field(sample.saliency[0], 'saliency')  # one map per image
        sample.set_field(torch.tensor([False]), 'saliency_empty')
    losses = model.loss(views[0], samples)
    feats = model.backbone(views[0])[-1]
    logits = model.head(model.neck((feats, )))
    grads, = torch.autograd.grad(logits.gather(1, torch.arange(3)[:, None]).sum(), feats)
    cams = F.relu((grads.mean(dim=(2, 3), keepdim=True) * feats).sum(dim=1))
    flat = cams.flatten(1) - cams.flatten(1).min(dim=1, keepdim=True).values
    cams = (flat / (flat.max(dim=1, keepdim=True).values + 1e-7)).view_as(cams)
    masks = torch.stack([s.saliency for s in samples]) > 0.5
    expected = cast_map_loss(cams, masks.float())
    assert losses['loss_cast'].item() == pytest.approx(expected.item(), rel=1e-5)


def test_an_unknown_layer_is_named_in_the_error():
    model = moco(cast=dict(CAST, layer='backbone.layer9'))
    with pytest.raises(ValueError, match="no submodule named 'backbone.layer9'"):
        model.loss(*two_views())


def test_the_docs_add_your_own_loss_example_runs(tmp_path, monkeypatch):
    """The "add your own attention loss" module and config of docs/plugins.md, as printed
    there."""
    import re
    import sys
    import types

    page = (REPO_ROOT / 'docs' / 'plugins.md').read_text()
    section = page[page.index('Add your own attention loss'):]
    module_code, config_code = re.findall(r'```python\n(.*?)```', section, re.S)[:2]
    module = types.ModuleType('my_losses')
    exec(module_code, module.__dict__)
    monkeypatch.setitem(sys.modules, 'my_losses', module)
    config = tmp_path / 'my_config.py'
    config.write_text(config_code.replace("'configs/", f"'{REPO_ROOT}/configs/"))
    model = build(Config.fromfile(config).model)
    views, samples = two_views(num=2, size=96)
    losses = model.loss(views, samples)
    assert set(losses) == {'loss_moco', 'loss_cast', 'cast_valid', 'loss_centre_mass'}
    assert 0 < losses['loss_centre_mass'].item() < 0.5  # weight 0.5 times a value in [0, 1]
    losses['loss_centre_mass'].backward()
    assert model.backbone.conv1.weight.grad.abs().sum() > 0
