"""Grad-CAM against hand computations, its second-order path, and the state it leaves behind."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from attn_plugins.attention import grad_cam, grad_cam_from_activations


class GapNet(nn.Module):
    """features -> global average pool -> linear head.

    With ``A = features(x)`` of size ``h x w``, ``d y_c / d A_k(i, j) = W[c, k] / (h * w)`` at
    every position, so Grad-CAM is ``sum_k W[c, k] / (h * w) * A_k`` (before ReLU).
    """

    def __init__(self, channels=6, num_classes=4):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, channels, 3, padding=1), nn.BatchNorm2d(channels),
            nn.ReLU(inplace=True), nn.Conv2d(channels, channels, 3, padding=1))
        self.head = nn.Linear(channels, num_classes)

    def forward(self, x):
        return self.head(self.features(x).mean(dim=(2, 3)))


def randomize_bn(model):
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.running_mean.uniform_(-0.5, 0.5)
            module.running_var.uniform_(0.5, 2.0)
    return model


@pytest.fixture
def gap_net():
    torch.manual_seed(0)
    return randomize_bn(GapNet()).eval()


def hand_gap_cam(net, x, weights, relu=True):
    """Grad-CAM of the score ``weights . logits`` on GapNet from the closed-form gradient."""
    with torch.no_grad():
        acts = net.features(x)  # (B, C, h, w)
        h, w = acts.shape[2:]
        channel_weights = weights @ net.head.weight / (h * w)  # (B, C)
        cam = torch.einsum('bc,bchw->bhw', channel_weights, acts)
    return cam.clamp(min=0) if relu else cam


def one_hot(classes, num_classes=4):
    return F.one_hot(torch.as_tensor(classes), num_classes).float()


@pytest.mark.parametrize('relu', [True, False])
def test_matches_closed_form_gradient(gap_net, relu):
    x = torch.randn(3, 3, 5, 7)
    classes = [1, 3, 0]
    cam = grad_cam(gap_net, gap_net.features, x, targets=classes, relu=relu)
    expected = hand_gap_cam(gap_net, x, one_hot(classes), relu=relu)
    assert cam.shape == (3, 5, 7)
    torch.testing.assert_close(cam, expected)
    if relu:
        assert (cam == 0).any() and (cam > 0).any()
    else:
        assert (cam < 0).any() and (cam > 0).any()


def test_minmax_scaling(gap_net):
    x = torch.randn(3, 3, 6, 6)
    cam = grad_cam(gap_net, gap_net.features, x, targets=2, normalize='minmax')
    raw = hand_gap_cam(gap_net, x, one_hot([2, 2, 2])).flatten(1)
    low, high = raw.min(1, keepdim=True).values, raw.max(1, keepdim=True).values
    torch.testing.assert_close(cam.flatten(1), (raw - low) / (high - low + 1e-7))
    flat = cam.flatten(1)
    assert torch.equal(flat.min(1).values, torch.zeros(3))
    # eps keeps the maximum just below 1 (by eps / (max - min) in relative terms).
    assert (flat.max(1).values < 1).all() and (flat.max(1).values > 0.99).all()


def test_targets_none_index_and_callable(gap_net):
    x = torch.randn(4, 3, 6, 6)
    predicted = gap_net(x).argmax(1)
    torch.testing.assert_close(
        grad_cam(gap_net, gap_net.features, x, targets=None),
        hand_gap_cam(gap_net, x, one_hot(predicted)))
    torch.testing.assert_close(
        grad_cam(gap_net, gap_net.features, x, targets=torch.tensor([3, 3, 3, 3])),
        hand_gap_cam(gap_net, x, one_hot([3] * 4)))
    # A score that is no single logit: the gradient is linear in the head's rows.
    contrast = torch.tensor([1., -1., 0., 0.]).expand(4, 4)
    torch.testing.assert_close(
        grad_cam(gap_net, gap_net.features, x, targets=lambda logits: logits[:, 0] - logits[:, 1],
                 relu=False),
        hand_gap_cam(gap_net, x, contrast, relu=False))


def deep_net():
    """A net with in-place ReLU right after the explained layer (index 3) and a non-linear head."""
    torch.manual_seed(1)
    net = nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(inplace=True),
        nn.Conv2d(4, 6, 3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(6, 5, 3, stride=2, padding=1), nn.Tanh(), nn.Flatten(), nn.Linear(80, 3))
    return randomize_bn(net).eval()


def reference_grad_cam(net, split, x, classes):
    """Grad-CAM one sample at a time, by splitting the Sequential at ``split`` (no hooks)."""
    maps = []
    for sample, c in zip(x, classes):
        with torch.no_grad():
            acts = net[:split](sample[None])
        acts.requires_grad_(True)
        score = net[split:](acts.clone())[0, c]
        grads, = torch.autograd.grad(score, acts)
        maps.append((grads.mean(dim=(2, 3), keepdim=True) * acts).sum(1)[0].clamp(min=0))
    return torch.stack(maps).detach()


def test_matches_per_sample_autograd_with_inplace_relu_after_layer():
    net = deep_net()
    x = torch.randn(3, 3, 8, 8)
    cam = grad_cam(net, net[3], x, targets=[0, 2, 1])
    torch.testing.assert_close(cam, reference_grad_cam(net, 4, x, [0, 2, 1]))
    # The layer can also be named as in named_modules().
    torch.testing.assert_close(grad_cam(net, '3', x, targets=[0, 2, 1]), cam)


def test_batch_independence_in_eval_mode(gap_net):
    x = torch.randn(3, 3, 6, 6)
    first = grad_cam(gap_net, gap_net.features, x[[0, 1]], targets=[2, 2])[0]
    second = grad_cam(gap_net, gap_net.features, x[[0, 2]], targets=[2, 2])[0]
    torch.testing.assert_close(first, second)
    # BatchNorm in train mode couples the samples (documented): the same pair now differs.
    gap_net.train()
    first = grad_cam(gap_net, gap_net.features, x[[0, 1]], targets=[2, 2])[0]
    second = grad_cam(gap_net, gap_net.features, x[[0, 2]], targets=[2, 2])[0]
    assert not torch.allclose(first, second)


def test_upsample_to(gap_net):
    x = torch.randn(2, 3, 4, 4)
    cam = grad_cam(gap_net, gap_net.features, x, targets=1, normalize='minmax')
    big = grad_cam(gap_net, gap_net.features, x, targets=1, normalize='minmax',
                   upsample_to=(8, 12))
    assert big.shape == (2, 8, 12)
    torch.testing.assert_close(
        big, F.interpolate(cam[:, None], size=(8, 12), mode='bilinear')[:, 0])


class DictNet(nn.Module):

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)

    def forward(self, x):
        feats = self.conv(x)
        return {'logits': feats.mean(dim=(2, 3)), 'feats': (feats, [feats.sum()])}


def test_return_outputs_detached_unless_create_graph(gap_net):
    x = torch.randn(2, 3, 5, 5)
    cam, logits = grad_cam(gap_net, gap_net.features, x, targets=None, return_outputs=True)
    torch.testing.assert_close(logits, gap_net(x))
    assert not cam.requires_grad and not logits.requires_grad
    cam, logits = grad_cam(gap_net, gap_net.features, x, targets=None, create_graph=True,
                           return_outputs=True)
    assert cam.requires_grad and logits.requires_grad

    net = DictNet()
    cam, outputs = grad_cam(net, net.conv, x, targets=lambda out: out['logits'][:, 0],
                            return_outputs=True)
    feats, (total,) = outputs['feats']
    torch.testing.assert_close(feats, net.conv(x))
    assert not any(t.requires_grad for t in (outputs['logits'], feats, total))


def test_second_order_gradient_matches_closed_form(gap_net):
    """The head's weights reach the map only through the gradient d score / d A."""
    x = torch.randn(3, 3, 5, 5)
    classes = [0, 2, 0]
    cam = grad_cam(gap_net, gap_net.features, x, targets=classes, relu=False, create_graph=True)
    cam.sum().backward()
    # d(sum_ij cam_b) / d W[c_b, k] = mean_ij A_bk, summed over samples with that class.
    with torch.no_grad():
        mean_acts = gap_net.features(x).mean(dim=(2, 3))  # (B, C)
    expected = one_hot(classes).t() @ mean_acts
    torch.testing.assert_close(gap_net.head.weight.grad, expected)
    assert gap_net.head.bias.grad is None or not gap_net.head.bias.grad.any()


@pytest.mark.parametrize('trained', ['head', 'all'])
def test_second_order_path_trains(trained):
    torch.manual_seed(0)
    net = randomize_bn(GapNet(channels=8)).eval()
    if trained == 'head':
        # Only through the second-order path can the head change the map.
        net.features.requires_grad_(False)
    x = torch.randn(4, 3, 8, 8)
    target = torch.zeros(4, 8, 8)
    target[:, :4, :4] = 1
    params = [p for p in net.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(params, lr=0.05)

    def cosine():
        cam = grad_cam(net, net.features, x, targets=0, normalize='minmax', create_graph=True)
        return F.cosine_similarity(cam.flatten(1), target.flatten(1), dim=1).mean()

    with torch.no_grad():
        before = cosine().item()
    for _ in range(10):
        optimizer.zero_grad()
        loss = 1 - cosine()
        loss.backward()
        optimizer.step()
    after = cosine().item()
    assert after > before + 0.1, (before, after)


def test_low_level_on_backbone_features_without_hooks(gap_net):
    """CAST's path: differentiate a score with respect to the backbone's output directly."""
    x = torch.randn(2, 3, 6, 6)
    feats = gap_net.features(x)
    scores = gap_net.head(feats.mean(dim=(2, 3)))[:, 1]
    cam = grad_cam_from_activations(feats, scores, normalize='minmax', retain_graph=True)
    assert not cam.requires_grad
    torch.testing.assert_close(
        cam, grad_cam(gap_net, gap_net.features, x, targets=1, normalize='minmax'))
    # The graph was kept: the training loss can still be backpropagated.
    scores.sum().backward()
    assert gap_net.head.weight.grad is not None


def test_frozen_model_and_no_grad_context(gap_net):
    x = torch.randn(2, 3, 6, 6)
    expected = grad_cam(gap_net, gap_net.features, x, targets=[1, 2])
    gap_net.requires_grad_(False)
    with torch.no_grad():
        cam = grad_cam(gap_net, gap_net.features, x, targets=[1, 2])
    torch.testing.assert_close(cam, expected)


class Raise(nn.Module):

    def forward(self, x):
        raise RuntimeError('forward failed on purpose')


def hook_state(model):
    return {name: (dict(m._forward_hooks), dict(m._forward_pre_hooks), dict(m._backward_hooks))
            for name, m in model.named_modules()}


def failing_target(logits):
    raise RuntimeError('target failed on purpose')


@pytest.mark.parametrize('case', ['ok', 'target raises', 'forward raises'])
def test_hooks_and_grad_state_restored(case):
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.LazyLinear(3))
    net(torch.randn(2, 3, 5, 5))  # materialise the lazy layer
    if case == 'forward raises':
        net.append(Raise())
    net.train()
    seen = []
    net[0].register_forward_hook(lambda module, args, output: seen.append(output.shape))
    hooks_before = hook_state(net)
    x = torch.randn(2, 3, 5, 5)
    targets = failing_target if case == 'target raises' else [0, 1]
    with torch.no_grad():
        if case == 'ok':
            cam = grad_cam(net, net[0], x, targets=targets)
            assert cam.shape == (2, 3, 3)
        else:
            with pytest.raises(RuntimeError, match='on purpose'):
                grad_cam(net, net[0], x, targets=targets)
        assert not torch.is_grad_enabled()
    assert hook_state(net) == hooks_before
    assert len(seen) == 1  # the user's own hook ran and is still registered
    assert not x.requires_grad and net.training
    assert all(p.grad is None for p in net.parameters())


class SharedReLU(nn.Module):

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.relu = nn.ReLU()
        self.unused = nn.Conv2d(4, 4, 1)
        self.head = nn.Linear(4, 3)

    def forward(self, x):
        return self.head(self.relu(self.relu(self.conv(x))).mean(dim=(2, 3)))


@pytest.mark.parametrize('layer, kwargs, match', [
    (nn.Conv2d(3, 4, 3), {}, 'not a submodule'),
    ('backbone.layer9', {}, 'no submodule named'),
    ('unused', {}, 'did not run'),
    ('relu', {}, 'ran 2 times'),
    ('', {}, 'must output a \\(B, C, h, w\\) tensor'),
    ('conv', dict(targets=[0, 1, 2]), 'shape \\(2,\\)'),
    ('conv', dict(targets=[0, 3]), 'lie in \\[0, 2\\]'),
    ('conv', dict(targets=torch.tensor([0.5, 1.0])), 'must be integers'),
    ('conv', dict(targets=lambda logits: logits), 'one score per sample'),
    ('conv', dict(normalize='sum'), 'normalize must be one of'),
])
def test_errors_name_the_problem(layer, kwargs, match):
    net = SharedReLU()
    with pytest.raises(ValueError, match=match):
        grad_cam(net, layer, torch.randn(2, 3, 4, 4), **kwargs)
    assert hook_state(net) == hook_state(SharedReLU())


def test_index_targets_need_logits():
    net = nn.Conv2d(3, 4, 3)
    with pytest.raises(ValueError, match='need a model that returns \\(B, K\\) logits'):
        grad_cam(net, net, torch.randn(2, 3, 4, 4), targets=0)


def test_low_level_errors():
    acts = torch.randn(2, 4, 3, 3, requires_grad=True)
    scores = acts.mean(dim=(1, 2, 3))
    with pytest.raises(ValueError, match='\\(B, C, h, w\\)'):
        grad_cam_from_activations(acts[0], scores)
    with pytest.raises(ValueError, match='shape \\(2,\\)'):
        grad_cam_from_activations(acts, scores[None])
    with pytest.raises(ValueError, match='one autograd graph'):
        grad_cam_from_activations(acts.detach(), scores)
    other = torch.randn(2, 4, 3, 3, requires_grad=True)
    with pytest.raises(ValueError, match='do not depend on activations'):
        grad_cam_from_activations(other, scores)


def test_mmpretrain_resnet18(resnet18_classifier):
    model = resnet18_classifier
    x = torch.randn(2, 3, 64, 64)
    cam = grad_cam(model, model.backbone.layer4, x, targets=None)
    assert cam.shape == (2, 2, 2)
    with torch.no_grad():
        acts = model.backbone(x)[-1]
        predicted = model.fc(acts.mean(dim=(2, 3))).argmax(1)
        expected = torch.einsum('bc,bchw->bhw', model.fc.weight[predicted] / 4, acts)
    torch.testing.assert_close(cam, expected.clamp(min=0))
    torch.testing.assert_close(grad_cam(model, 'backbone.layer4', x, targets=predicted,
                                        relu=False), expected)
