"""ATCON's consistency and loss against an explicit autograd computation on a small network."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from attn_plugins.atcon import (attention_consistency, batchnorm_eval, consistency_loss,
                                guided_mask, map_correlation, zscore)


class GuidedReLU(torch.autograd.Function):
    """The test's own guided ReLU: gradient where input > 0 and incoming gradient > 0."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp_min(0)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * (x > 0) * (grad > 0)


class TinyNet(nn.Module):
    """conv-ReLU-conv(stride 2)-ReLU, then global average pooling and a linear layer."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 3, padding=1)
        self.conv2 = nn.Conv2d(6, 8, 3, stride=2, padding=1)
        self.fc = nn.Linear(8, 4)

    def features(self, x, relu=F.relu):
        return relu(self.conv2(relu(self.conv1(x))))

    def forward(self, x):
        feats = self.features(x)
        return feats, self.fc(feats.mean(dim=(2, 3)))


def tiny_net(seed=0):
    torch.manual_seed(seed)
    return TinyNet().double()


def explicit_consistency(net, x, w, detach_mask=False):
    """ATCON's consistency written out step by step with torch.autograd.grad."""
    feats = net.features(x)
    logits = net.fc(feats.mean(dim=(2, 3)))
    classes = logits.argmax(dim=1)
    rows = torch.arange(x.shape[0])

    def cam(activations, scores):
        grads, = torch.autograd.grad(scores.sum(), activations, create_graph=True)
        return (grads.mean(dim=(2, 3), keepdim=True) * activations).sum(dim=1)

    a1 = cam(feats, logits[rows, classes])

    x_leaf = x.detach().requires_grad_(True)
    guided_logits = net.fc(net.features(x_leaf, relu=GuidedReLU.apply).mean(dim=(2, 3)))
    grad_x, = torch.autograd.grad(guided_logits[rows, classes].sum(), x_leaf,
                                  create_graph=True)
    g = grad_x.abs().sum(dim=1)
    mean = g.mean(dim=(1, 2), keepdim=True)
    std = g.flatten(1).std(dim=1).view(-1, 1, 1)  # unbiased
    mask = torch.sigmoid(w * (g - mean - std / 2))
    if detach_mask:
        mask = mask.detach()

    masked_feats = net.features(mask.unsqueeze(1) * x)
    masked_logits = net.fc(masked_feats.mean(dim=(2, 3)))
    a2 = cam(masked_feats, masked_logits[rows, classes])

    corrs = []
    for first, second in zip(a1, a2):
        u = torch.sigmoid((first - first.mean()) / first.std())
        v = torch.sigmoid((second - second.mean()) / second.std())
        vx, vy = u - u.mean(), v - v.mean()
        corrs.append((vx * vy).sum() / (vx.pow(2).sum().sqrt() * vy.pow(2).sum().sqrt()))
    return torch.stack(corrs), dict(cam=a1, masked_cam=a2, guided=g, mask=mask,
                                    classes=classes)


@pytest.fixture
def batch():
    torch.manual_seed(1)
    return torch.randn(3, 3, 12, 12, dtype=torch.float64)


W = 3000.0  # the tiny net's guided gradients are ~1e-3: a steep mask keeps it non-trivial


def test_consistency_matches_the_explicit_computation(batch):
    net = tiny_net()
    expected, parts = explicit_consistency(net, batch, W)
    corr, maps = attention_consistency(net, batch, mask_intensity=W, return_maps=True)
    assert parts['mask'].std() > 0.05  # the mask really selects pixels
    torch.testing.assert_close(maps['cam'], parts['cam'])
    torch.testing.assert_close(maps['guided'], parts['guided'])
    torch.testing.assert_close(maps['mask'], parts['mask'])
    torch.testing.assert_close(maps['masked_cam'], parts['masked_cam'])
    assert torch.equal(maps['classes'], parts['classes'])
    torch.testing.assert_close(corr, expected)
    assert corr.abs().max() < 0.999  # not a trivially perfect agreement


def test_loss_gradients_match_the_explicit_second_order_gradients(batch):
    net = tiny_net()
    names, params = zip(*net.named_parameters())
    loss = consistency_loss(net, batch, mask_intensity=W)
    grads = torch.autograd.grad(loss, params, allow_unused=True)
    expected_loss = -explicit_consistency(net, batch, W)[0].mean()
    expected = torch.autograd.grad(expected_loss, params, allow_unused=True)
    torch.testing.assert_close(loss, expected_loss)
    for name, got, want in zip(names, grads, expected):
        if name == 'fc.bias':
            # The bias shifts the scores but none of their gradients: no path at all.
            assert got is None and want is None
        else:
            torch.testing.assert_close(got, want, msg=f'gradient of {name}')


def test_the_linear_layer_weight_is_trained_only_through_second_order_paths(batch):
    # fc.weight enters the maps only as a gradient (Grad-CAM weights, guided gradient):
    # a first-order-only (detached) computation would give it no gradient at all.
    net = tiny_net()
    loss = consistency_loss(net, batch, mask_intensity=W)
    grad, = torch.autograd.grad(loss, [net.fc.weight])
    assert grad.abs().max() > 1e-6
    # A central finite difference agrees (float64, guided masks piecewise constant).
    index, eps = (1, 2), 1e-6
    with torch.no_grad():
        net.fc.weight[index] += eps
    plus = consistency_loss(net, batch, mask_intensity=W)
    with torch.no_grad():
        net.fc.weight[index] -= 2 * eps
    minus = consistency_loss(net, batch, mask_intensity=W)
    difference = float((plus - minus).detach()) / (2 * eps)
    assert difference == pytest.approx(float(grad[index]), rel=1e-3, abs=1e-7)


def test_the_mask_is_not_detached(batch):
    # The loss also flows through M, whose g is a gradient of the network.
    net = tiny_net()
    full = torch.autograd.grad(consistency_loss(net, batch, mask_intensity=W),
                               [net.conv1.weight])[0]
    detached = torch.autograd.grad(-explicit_consistency(net, batch, W, detach_mask=True)[0]
                                   .mean(), [net.conv1.weight])[0]
    assert (full - detached).abs().max() > 1e-3 * full.abs().max()


def test_eval_mode_results_are_detached_and_equal(batch):
    net = tiny_net()
    with torch.no_grad():
        corr = attention_consistency(net, batch, mask_intensity=W, create_graph=False)
    assert not corr.requires_grad
    torch.testing.assert_close(corr, attention_consistency(net, batch, mask_intensity=W))
    assert all(p.grad is None for p in net.parameters())


def test_undefined_correlation_is_zero_with_finite_gradients():
    maps = torch.randn(2, 4, 4, requires_grad=True)
    flat = torch.full((2, 4, 4), 3.0, requires_grad=True)
    corr = map_correlation(maps, flat)
    assert torch.equal(corr, torch.zeros(2))
    corr.sum().backward()
    assert torch.isfinite(maps.grad).all() and torch.isfinite(flat.grad).all()
    # One-cell maps have no unbiased std.
    assert torch.equal(map_correlation(torch.ones(2, 1, 1), torch.randn(2, 1, 1)),
                       torch.zeros(2))


def test_constant_attention_gives_zero_consistency():
    # A spatially constant image through a network without padding effects: every
    # activation map is constant, so A1 is flat and the consistency undefined -> 0.
    net = nn.Sequential(nn.Conv2d(3, 4, 1), nn.ReLU())
    head = nn.Linear(4, 3)
    torch.manual_seed(0)

    def model(x):
        feats = net(x)
        return feats, head(feats.mean(dim=(2, 3)))

    x = torch.randn(2, 3, 1, 1).expand(2, 3, 8, 8).contiguous()
    loss = consistency_loss(model, x, mask_intensity=8.0)
    assert loss.item() == 0.0
    loss.backward()
    assert all(torch.isfinite(p.grad).all() for p in head.parameters() if p.grad is not None)


def test_map_correlation_is_pearson_of_sigmoid_zscores():
    torch.manual_seed(0)
    a, b = torch.randn(3, 5, 5), torch.randn(3, 5, 5)
    z = (a - a.mean(dim=(1, 2), keepdim=True)) / a.flatten(1).std(dim=1).view(-1, 1, 1)
    torch.testing.assert_close(zscore(a), z)
    for i in range(3):
        u = torch.sigmoid(zscore(a)[i]).flatten()
        v = torch.sigmoid(zscore(b)[i]).flatten()
        assert map_correlation(a, b)[i].item() == pytest.approx(
            torch.corrcoef(torch.stack([u, v]))[0, 1].item(), abs=1e-5)
    torch.testing.assert_close(map_correlation(a, 3 * a - 2), torch.ones(3))


def test_guided_mask_formula():
    g = torch.tensor([[[0.0, 1.0], [2.0, 5.0]]])
    threshold = g.mean() + g.std() / 2
    torch.testing.assert_close(guided_mask(g, 4.0), torch.sigmoid(4.0 * (g - threshold)))
    with pytest.raises(ValueError, match='Guided-Backprop'):
        guided_mask(torch.ones(2, 2), 8.0)


def test_model_must_return_activations_and_logits(batch):
    net = tiny_net()
    with pytest.raises(ValueError, match='pair'):
        attention_consistency(lambda x: net(x)[1], batch)


def test_batchnorm_eval_restores_each_flag_also_on_error():
    net = nn.Sequential(nn.BatchNorm2d(3), nn.Conv2d(3, 3, 1), nn.BatchNorm2d(3))
    net.train()
    net[2].eval()
    with pytest.raises(RuntimeError):
        with batchnorm_eval(net):
            assert not net[0].training and not net[2].training and net[1].training
            raise RuntimeError('boom')
    assert net[0].training and not net[2].training and net[1].training


def test_consistency_fine_tuning_raises_held_out_consistency():
    torch.manual_seed(0)
    net = TinyNet()
    generator = torch.Generator().manual_seed(1)
    train = 0.5 * torch.randn(8, 3, 16, 16, generator=generator)
    held_out = 0.5 * torch.randn(8, 3, 16, 16, generator=generator)
    before = attention_consistency(net, held_out, W, create_graph=False).mean()
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
    for _ in range(6):
        loss = consistency_loss(net, train, mask_intensity=W)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    after = attention_consistency(net, held_out, W, create_graph=False).mean()
    assert after > before + 0.02, (before, after)
