"""VARS backbones: registries, mmpretrain ViT conventions, resolutions, checkpoints."""
import pytest
import torch

pytest.importorskip('mmpretrain')

from mmdet.registry import MODELS as MMDET_MODELS  # noqa: E402
from mmpretrain.models.utils import MultiheadAttention  # noqa: E402
from mmpretrain.registry import MODELS  # noqa: E402
from mmseg.registry import MODELS as MMSEG_MODELS  # noqa: E402

from attn_plugins.vars import VARSAttention, VARSStaticConv  # noqa: E402
from attn_plugins.vars.backbones import VARSRVT, VARSVisionTransformer  # noqa: E402

TINY = dict(embed_dims=32, num_layers=4, num_heads=2, feedforward_channels=64)


def tiny_vit(**kwargs):
    cfg = dict(type='VARSVisionTransformer', arch=TINY, img_size=32, patch_size=8)
    cfg.update(kwargs)
    return MODELS.build(cfg)


@pytest.mark.parametrize('registry', [MODELS, MMDET_MODELS, MMSEG_MODELS],
                         ids=['mmpretrain', 'mmdet', 'mmseg'])
@pytest.mark.parametrize('name,cls', [('VARSVisionTransformer', VARSVisionTransformer),
                                      ('VARSRVT', VARSRVT)])
def test_registered_and_built_from_every_registry(registry, name, cls):
    assert registry.get(name) is cls
    if cls is VARSVisionTransformer:
        cfg = dict(type=name, arch=TINY, img_size=32, patch_size=8, out_type='featmap')
        expected = (1, 32, 8, 8)
    else:
        cfg = dict(type=name, arch=dict(embed_dims=[16, 32], depths=[1, 1], num_heads=[2, 2],
                                        mlp_ratio=2.), img_size=64, out_type='featmap')
        expected = (1, 32, 2, 2)
    model = registry.build(cfg)
    assert isinstance(model, cls)
    assert model(torch.randn(1, 3, 64, 64))[0].shape == expected


def test_out_indices_and_out_types():
    model = tiny_vit(out_indices=(1, -1), out_type='featmap')
    outs = model(torch.randn(2, 3, 32, 48))
    assert [o.shape for o in outs] == [(2, 32, 4, 6), (2, 32, 4, 6)]
    assert tiny_vit()(torch.randn(2, 3, 32, 32))[0].shape == (2, 32)  # cls token
    raw = tiny_vit(out_type='raw', out_indices=0)(torch.randn(2, 3, 32, 32))
    assert raw[0].shape == (2, 1 + 16, 32)


def test_layers_keep_vit_structure_and_per_layer_choice():
    model = tiny_vit(attn_cfgs=[dict(dictionary='dynamic'), None,
                                dict(dictionary='static_dynamic'),
                                dict(dictionary='dynamic', solver='ista', num_steps=3)])
    kinds = [type(layer.attn) for layer in model.layers]
    assert kinds == [VARSAttention, MultiheadAttention, VARSAttention, VARSAttention]
    assert model.layers[2].attn.static_dict.shape == (2, 1 + 16, 32)
    assert model.layers[3].attn.solver.num_steps == 3
    keys = model.state_dict().keys()
    for key in ('layers.0.ln1.weight', 'layers.0.attn.qv.weight', 'layers.0.attn.rand_proj',
                'layers.0.ffn.layers.0.0.weight', 'layers.1.attn.qkv.weight', 'pos_embed',
                'cls_token', 'ln1.weight'):
        assert key in keys, key
    with pytest.raises(ValueError, match='attn_cfgs lists 2 entries for 4 layers'):
        tiny_vit(attn_cfgs=[None, None])


def test_dynamic_and_static_dynamic_backbones_run_at_other_resolutions():
    for dictionary in ('dynamic', 'static_dynamic'):
        model = tiny_vit(attn_cfgs=dict(dictionary=dictionary), out_type='featmap')
        for size in ((32, 32), (48, 64)):
            out = model(torch.randn(1, 3, *size))[0]
            assert out.shape == (1, 32, size[0] // 8, size[1] // 8)


def test_static_mixer_needs_patch_tokens_only():
    with pytest.raises(ValueError, match='cannot hold a class token'):
        tiny_vit(attn_cfgs=dict(dictionary='static'))
    model = tiny_vit(attn_cfgs=dict(dictionary='static', lam=1.0), with_cls_token=False,
                     out_type='avg_featmap')
    assert isinstance(model.layers[0].attn, VARSStaticConv)
    assert model(torch.randn(2, 3, 32, 32))[0].shape == (2, 32)


def test_gradients_reach_every_trainable_parameter():
    model = tiny_vit(attn_cfgs=[dict(dictionary='dynamic'), dict(dictionary='static_dynamic'),
                                None, dict(dictionary='dynamic', solver='ista', lam=0.)],
                     drop_path_rate=0.1)
    model.init_weights()
    model(torch.randn(2, 3, 32, 32))[0].square().sum().backward()
    for name, param in model.named_parameters():
        assert param.grad is not None and param.grad.abs().sum() > 0, name


def test_frozen_stages_apply_to_rebuilt_layers():
    model = tiny_vit(frozen_stages=2)
    assert not any(p.requires_grad for p in model.layers[1].parameters())
    assert all(p.requires_grad for p in model.layers[2].parameters())


def test_pretrained_init_restores_weights_and_random_features(tmp_path):
    classifier = MODELS.build(dict(
        type='ImageClassifier',
        backbone=dict(type='VARSVisionTransformer', arch=TINY, img_size=32, patch_size=8),
        head=dict(type='VisionTransformerClsHead', num_classes=3, in_channels=32)))
    path = tmp_path / 'classifier.pth'
    torch.save(dict(state_dict=classifier.state_dict()), path)
    backbone = tiny_vit(init_cfg=dict(type='Pretrained', checkpoint=str(path),
                                      prefix='backbone.'))
    assert not torch.equal(backbone.layers[0].attn.rand_proj,
                           classifier.backbone.layers[0].attn.rand_proj)
    backbone.init_weights()
    for name, tensor in classifier.backbone.state_dict().items():
        assert torch.equal(backbone.state_dict()[name], tensor), name
    x = torch.randn(2, 3, 32, 32)
    torch.testing.assert_close(backbone(x)[0], classifier.backbone(x)[0])


def test_rvt_stages_grids_and_mixers():
    model = VARSRVT(arch='tiny', out_indices=(0, 1), out_type='featmap')
    assert [len(stage) for stage in model.stages] == [10, 2]
    outs = model(torch.randn(1, 3, 224, 224))
    assert [o.shape for o in outs] == [(1, 192, 14, 14), (1, 384, 7, 7)]

    arch = dict(embed_dims=[16, 32], depths=[2, 1], num_heads=[2, 4], mlp_ratio=2.)
    model = VARSRVT(arch=arch, img_size=64,
                    attn_cfgs=[dict(dictionary='static', lam=1.0),
                               dict(dictionary='static_dynamic'), None])
    assert model.stages[0][0].attn.grid_size == (4, 4)
    assert model.stages[0][1].attn.static_grid == (4, 4)
    assert isinstance(model.stages[1][0].attn, MultiheadAttention)
    out = model(torch.randn(2, 3, 64, 64))[0]
    assert out.shape == (2, 32)
    out.square().sum().backward()
    for name, param in model.named_parameters():
        assert param.grad is not None, name

    dynamic = VARSRVT(arch=arch, img_size=64, out_type='featmap')
    assert dynamic(torch.randn(1, 3, 96, 128))[0].shape == (1, 32, 3, 4)
    with pytest.raises(ValueError, match='out_indices'):
        VARSRVT(arch=arch, out_indices=(2, ))
