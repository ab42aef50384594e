"""Every loss component on every algorithm it attaches to trains two steps with finite,
logged terms; CAST on MoCo v2 gives the former ``CAST`` model's numbers; CAST's second-order
path through transformer tokens raises the Grad-CAM / mask cosine."""
import copy

import pytest
import torch
from mmengine.logging import MessageHub
from mmengine.registry import DefaultScope
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import attn_plugins  # noqa: F401

RESNET = dict(type='ResNet', depth=18, stem_channels=8, base_channels=8,
              norm_cfg=dict(type='BN'))
VIT = dict(type='VisionTransformer', arch=dict(embed_dims=32, num_layers=2, num_heads=2,
                                               feedforward_channels=64),
           img_size=32, patch_size=8, out_type='cls_token')
PROJECTOR = dict(type='NonLinearNeck', in_channels=64, hid_channels=16, out_channels=8,
                 num_layers=2, with_avg_pool=True)
PREDICTOR = dict(type='NonLinearNeck', in_channels=8, hid_channels=16, out_channels=8,
                 num_layers=2, with_avg_pool=False)
ALGORITHMS = {
    'GuidedMoCo': dict(type='GuidedMoCo', queue_len=16, feat_dim=8, momentum=0.01,
                       backbone=RESNET,
                       neck=dict(type='MoCoV2Neck', in_channels=64, hid_channels=16,
                                 out_channels=8, with_avg_pool=True),
                       head=dict(type='ContrastiveHead', loss=dict(type='CrossEntropyLoss'),
                                 temperature=0.2)),
    'GuidedMoCoV3': dict(type='GuidedMoCoV3', base_momentum=0.01, backbone=VIT,
                         neck=dict(PROJECTOR, in_channels=32, with_avg_pool=False),
                         head=dict(type='MoCoV3Head', predictor=PREDICTOR,
                                   loss=dict(type='CrossEntropyLoss', loss_weight=2.),
                                   temperature=0.2)),
    'GuidedBYOL': dict(type='GuidedBYOL', backbone=RESNET, neck=PROJECTOR,
                       head=dict(type='LatentPredictHead', predictor=PREDICTOR,
                                 loss=dict(type='CosineSimilarityLoss'))),
    'GuidedSimCLR': dict(type='GuidedSimCLR', backbone=RESNET, neck=PROJECTOR,
                         head=dict(type='ContrastiveHead', loss=dict(type='CrossEntropyLoss'),
                                   temperature=0.1)),
    'GuidedImageClassifier': dict(type='GuidedImageClassifier', backbone=RESNET,
                                  neck=dict(type='GlobalAveragePooling'),
                                  head=dict(type='LinearClsHead', num_classes=3,
                                            in_channels=64)),
}
ALGORITHM_TERM = {'GuidedMoCo': 'loss_moco', 'GuidedMoCoV3': 'loss_mocov3',
                  'GuidedBYOL': 'loss_byol', 'GuidedSimCLR': 'loss_simclr',
                  'GuidedImageClassifier': 'loss_cls'}
TERMS = {'cast': ('loss_cast', 'cast_valid'), 'teacher': ('loss_attn_kld', 'loss_attn_nss'),
         'atcon': ('loss_consistency', )}
TOKENS = dict(num_extra_tokens=1)


def attention_loss(name, vit):
    if name == 'cast':
        return dict(type='CASTGroundingLoss', **(
            dict(layer='backbone.layers.1.ln1', tokens=TOKENS) if vit else {}))
    if name == 'teacher':
        head = dict(type='SpatialAttentionHead', in_channels=32, hid_channels=8)
        return dict(type='TeacherAttentionLoss', attn_head=head, **(
            dict(layer='backbone.layers.1.ln1', tokens=TOKENS) if vit
            else dict(layer='backbone.layer3')))
    return dict(type='ATCONConsistencyLoss')


def build(cfg):
    # CosineEMA (MoCo v3, BYOL) reads the schedule length from the runner's message hub
    MessageHub.get_current_instance().update_info('max_iters', 100)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        torch.manual_seed(0)
        return MODELS.build(cfg)


def batch(algorithm, generator_seed=0):
    """Two views (one batch for the classifier), each with a saliency block and labels."""
    size = 32 if algorithm == 'GuidedMoCoV3' else 64
    generator = torch.Generator().manual_seed(generator_seed)
    views = [torch.randn(4, 3, size, size, generator=generator) for _ in range(2)]
    samples = []
    for i in range(4):
        saliency = torch.zeros(2, size, size)
        saliency[0, size // 8 + i:size // 2 + i, size // 4:3 * size // 4] = 1.0
        saliency[1, size // 4:7 * size // 8, i:size // 2 + i] = 1.0
        sample = DataSample().set_gt_label(i % 3)
        if algorithm == 'GuidedImageClassifier':
            sample.set_field(saliency[0], 'saliency')
            sample.set_field(torch.tensor([False]), 'saliency_empty')
        else:
            sample.set_field(saliency, 'saliency')
            sample.set_field(torch.tensor([False, False]), 'saliency_empty')
        samples.append(sample)
    return (views[0] if algorithm == 'GuidedImageClassifier' else views), samples


PAIRS = [(algorithm, loss) for algorithm in ALGORITHMS for loss in ('cast', 'teacher')]
PAIRS.append(('GuidedImageClassifier', 'atcon'))  # ATCON explains class scores


@pytest.mark.parametrize('algorithm,loss', PAIRS)
def test_each_loss_trains_two_steps_on_each_algorithm(algorithm, loss):
    model = build(dict(ALGORITHMS[algorithm], attention_losses={
        loss: attention_loss(loss, algorithm == 'GuidedMoCoV3')}))
    before = copy.deepcopy(model.backbone.state_dict())
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    for step in range(2):
        inputs, samples = batch(algorithm, step)
        losses = model.loss(inputs, samples)
        assert set(losses) == {ALGORITHM_TERM[algorithm], *TERMS[loss]}
        assert all(torch.isfinite(value) for value in losses.values())
        total, logged = model.parse_losses(losses)
        assert set(logged) >= set(losses)
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
    changed = [not torch.equal(value, before[name])
               for name, value in model.backbone.state_dict().items()
               if value.dtype.is_floating_point]
    assert any(changed)


@pytest.mark.parametrize('algorithm,loss', PAIRS)
def test_each_loss_runs_under_bfloat16_autocast_close_to_float32(algorithm, loss):
    """Mixed precision (the full-scale ``amp`` configs): scores and activations may differ
    in dtype inside the attention losses; every term stays within bfloat16's precision of
    its float32 value and reaches the backbone."""
    model = build(dict(ALGORITHMS[algorithm], attention_losses={
        loss: attention_loss(loss, algorithm == 'GuidedMoCoV3')})).eval()  # BN: batch-free
    inputs, samples = batch(algorithm)
    # a copy for float32: a step moves the MoCo queue and the momentum encoder
    reference = copy.deepcopy(model).loss(*copy.deepcopy((inputs, samples)))
    with torch.autocast('cpu', dtype=torch.bfloat16):
        losses = model.loss(*copy.deepcopy((inputs, samples)))
        total, _ = model.parse_losses(losses)
    total.backward()
    for name, value in losses.items():
        # a tiny random network in bfloat16 (8-bit mantissa) moves a term by a few percent;
        # NSS standardises the untrained head's nearly flat map, which amplifies the rounding
        tolerance = 0.1 if name == 'loss_attn_nss' else 0.05
        assert value.float().item() == pytest.approx(reference[name].item(), rel=0.1,
                                                     abs=tolerance), name
    assert any(p.grad is not None and p.grad.abs().sum() > 0
               for p in model.backbone.parameters())


def test_cast_on_mocov2_gives_the_former_cast_models_numbers():
    """Known values: the ``CAST`` model (attn_plugins/cast/model.py at commit 141fa48, since
    replaced by GuidedMoCo + CASTGroundingLoss), built with the same seed, config and batch:
    ``ssl_weight=0.25, cast_weight=0.75``, sample 3's key mask empty."""
    model = build(dict(
        type='GuidedMoCo', queue_len=16, feat_dim=8, momentum=0.01, backbone=RESNET,
        neck=dict(type='LinearNeck', in_channels=64, out_channels=8, gap_dim=2, norm_cfg=None),
        head=dict(type='ContrastiveHead', loss=dict(type='CrossEntropyLoss'), temperature=0.2),
        algorithm_weight=0.25,
        attention_losses=dict(cast=dict(type='CASTGroundingLoss', loss_weight=0.75))))
    torch.manual_seed(0)
    views = [torch.randn(4, 3, 64, 64), torch.randn(4, 3, 64, 64)]
    samples = []
    for i in range(4):
        saliency = torch.zeros(2, 64, 64)
        saliency[:, 8 + i:40 + i, 16:48] = 1
        if i == 3:
            saliency[1] = 0
        sample = DataSample()
        sample.set_field(saliency, 'saliency')
        sample.set_field(torch.tensor([False, False]), 'saliency_empty')
        samples.append(sample)
    losses = model.loss(views, samples)
    assert losses['loss_moco'].item() == pytest.approx(0.19729116559028625, abs=1e-6)
    assert losses['loss_cast'].item() == pytest.approx(0.30608493089675903, abs=1e-6)
    assert losses['cast_valid'].item() == 0.75


def test_token_grad_cam_training_raises_the_cam_mask_cosine():
    """CAST's loss alone, minimised on a fixed batch through a tiny ViT's tokens: the
    second-order path moves Grad-CAM toward the masks (1 - cosine falls)."""
    model = build(dict(ALGORITHMS['GuidedMoCoV3'], algorithm_weight=0.0,
                       attention_losses=dict(cast=attention_loss('cast', vit=True))))
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    inputs, samples = batch('GuidedMoCoV3')
    history = []
    for _ in range(12):
        loss = model.loss(inputs, copy.deepcopy(samples))['loss_cast']
        history.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert min(history[-3:]) < history[0] - 0.05, history
