"""Grad-CAM on transformer tokens (`reshape=token_grid()`): the map of a ViT block, equal to
Grad-CAM written out on the reshaped tokens, differentiable to second order, and
`renormalize` after upsampling."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from attn_plugins.attention import grad_cam, grad_cam_from_activations, token_grid


class Block(nn.Module):
    """Pre-norm self-attention and MLP, written with plain ops (twice differentiable; torch's
    fused CPU attention kernels have no double backward)."""

    def __init__(self, dim):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.qkv, self.proj = nn.Linear(dim, 3 * dim), nn.Linear(dim, dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim))

    def forward(self, x):
        q, k, v = self.qkv(self.norm1(x)).chunk(3, dim=-1)
        weights = (q @ k.transpose(1, 2) / q.shape[-1] ** 0.5).softmax(dim=-1)
        x = x + self.proj(weights @ v)
        return x + self.mlp(self.norm2(x))


class TinyViT(nn.Module):
    """Patch embedding, a class token, two encoder blocks, a head on the class token."""

    def __init__(self, dim=16, patch=4, classes=5):
        super().__init__()
        self.embed = nn.Conv2d(3, dim, patch, stride=patch)
        self.cls = nn.Parameter(torch.randn(1, 1, dim))
        self.blocks = nn.Sequential(Block(dim), Block(dim))
        self.head = nn.Linear(dim, classes)

    def forward(self, x):
        tokens = self.embed(x).flatten(2).transpose(1, 2)
        tokens = torch.cat([self.cls.expand(len(x), -1, -1), tokens], dim=1)
        return self.head(self.blocks(tokens)[:, 0])


@pytest.fixture
def vit():
    torch.manual_seed(0)
    return TinyViT().eval()


def written_out(model, inputs, block, target):
    """Tokens captured by hand, gradient by autograd, reshape and weighting by hand."""
    kept = {}
    handle = block.register_forward_hook(lambda m, a, out: kept.setdefault('tokens', out))
    logits = model(inputs)
    handle.remove()
    tokens = kept['tokens']  # (B, 1 + 16, C)
    grads, = torch.autograd.grad(logits[:, target].sum(), tokens)
    batch, _, channels = tokens.shape
    acts = tokens[:, 1:].detach().permute(0, 2, 1).reshape(batch, channels, 4, 4)
    grads = grads[:, 1:].permute(0, 2, 1).reshape(batch, channels, 4, 4)
    return F.relu((grads.mean(dim=(2, 3), keepdim=True) * acts).sum(dim=1))


def test_token_grad_cam_equals_the_written_out_map(vit):
    inputs = torch.randn(3, 3, 16, 16)
    cam = grad_cam(vit, vit.blocks[0], inputs, targets=2, reshape=token_grid(1))
    torch.testing.assert_close(cam, written_out(vit, inputs, vit.blocks[0], 2))
    assert cam.shape == (3, 4, 4) and cam.abs().sum() > 0


def test_token_map_is_differentiable_to_second_order(vit):
    """A loss on the map alone reaches the parameters after the layer (the head) through
    the gradient: the path the issue's 'reshape after the forward' advice broke."""
    inputs = torch.randn(2, 3, 16, 16)
    cam = grad_cam(vit, vit.blocks[0], inputs, targets=1, reshape=token_grid(1),
                   create_graph=True)
    cam.sum().backward()
    assert vit.head.weight.grad is not None and vit.head.weight.grad.abs().sum() > 0
    assert vit.blocks[1].qkv.weight.grad.abs().sum() > 0


def test_reshaping_after_the_forward_is_refused_with_the_fix(vit):
    inputs = torch.randn(2, 3, 16, 16)
    with pytest.raises(ValueError, match='reshape=token_grid'):
        grad_cam(vit, vit.blocks[0], inputs, targets=1)
    with torch.enable_grad():
        tokens = vit.embed(inputs).flatten(2).transpose(1, 2).requires_grad_()
        scores = tokens.sum(dim=(1, 2))
    with pytest.raises(ValueError, match='reshape=token_grid'):
        grad_cam_from_activations(tokens, scores)


def test_renormalize_scales_each_upsampled_map_to_unit_range(vit):
    inputs = torch.randn(2, 3, 16, 16)
    # blocks[0]: the last block's patch tokens do not reach the class token the head reads
    raw = grad_cam(vit, vit.blocks[0], inputs, targets=0, reshape=token_grid(1),
                   upsample_to=16)
    cam = grad_cam(vit, vit.blocks[0], inputs, targets=0, reshape=token_grid(1),
                   upsample_to=16, renormalize=True)
    low = raw.flatten(1).min(dim=1).values[:, None, None]
    high = raw.flatten(1).max(dim=1).values[:, None, None]
    torch.testing.assert_close(cam, (raw - low) / (high - low + 1e-7))
    assert torch.allclose(cam.flatten(1).max(dim=1).values, torch.ones(2), atol=1e-5)


def test_token_grid_checks_the_grid():
    with pytest.raises(ValueError, match='do not form a 3 x 3 grid'):
        token_grid(1, grid=(3, 3))(torch.zeros(1, 1 + 8, 4))
    assert token_grid(0, grid=(2, 4))(torch.zeros(2, 8, 3)).shape == (2, 3, 2, 4)


class ClassTokenClassifier(nn.Module):
    """An mmpretrain-style backbone (out_type='cls_token') and a linear head."""

    def __init__(self, backbone, dim=32, classes=5):
        super().__init__()
        self.backbone, self.head = backbone, nn.Linear(dim, classes)

    def forward(self, x):
        return self.head(self.backbone(x)[-1])


@pytest.mark.parametrize('backbone_type', ['VisionTransformer', 'VARSVisionTransformer'])
def test_openmmlab_vits_token_grad_cam(backbone_type):
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import MODELS

    import attn_plugins  # noqa: F401

    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    backbone = MODELS.build(dict(
        type=backbone_type, img_size=16, patch_size=4, out_type='cls_token',
        arch=dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64)))
    model = ClassTokenClassifier(backbone).eval()
    inputs = torch.randn(2, 3, 16, 16)
    layer = backbone.layers[0]
    cam = grad_cam(model, layer, inputs, targets=3, reshape=token_grid(1))
    torch.testing.assert_close(cam, written_out(model, inputs, layer, 3))
    assert cam.shape == (2, 4, 4) and cam.abs().sum() > 0
