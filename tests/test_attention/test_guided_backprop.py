"""Guided Backprop against a hand-written guided network, and the model state it leaves."""
import copy

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from attn_plugins.attention import guided_backprop


class HandGuidedReLU(torch.autograd.Function):
    """Written independently of the package: gradient passes where input > 0 and grad > 0."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.where(x > 0, x, torch.zeros_like(x))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * (x > 0).to(grad.dtype) * (grad > 0).to(grad.dtype)


class HandGuidedReLUModule(nn.Module):

    def forward(self, x):
        return HandGuidedReLU.apply(x)


class AllReLUs(nn.Module):
    """Every ReLU spelling, in-place ones with their return value ignored."""

    def __init__(self):
        super().__init__()
        self.convs = nn.ModuleList(nn.Conv2d(3 if i == 0 else 4, 4, 3, padding=1)
                                   for i in range(9))
        self.bn = nn.BatchNorm2d(4)
        self.act_inplace = nn.ReLU(inplace=True)
        self.act = nn.ReLU()
        self.fc = nn.Linear(4, 5)

    def forward(self, x):
        c = self.convs
        h = self.bn(c[0](x))
        self.act_inplace(h)
        h = self.act(c[1](h))
        h = F.relu(c[2](h))
        h = c[3](h)
        F.relu(h, inplace=True)
        h = c[4](h)
        F.relu_(h)
        h = torch.relu(c[5](h))
        h = c[6](h)
        torch.relu_(h)
        h = c[7](h).relu()
        h = c[8](h) + h  # residual: the in-place ReLU below must update the sum itself
        h.relu_()
        return self.fc(h.mean(dim=(2, 3)))

    def guided_twin_forward(self, x):
        """The same network with every ReLU replaced by :class:`HandGuidedReLU`."""
        c, relu = self.convs, HandGuidedReLU.apply
        h = relu(self.bn(c[0](x)))
        for conv in c[1:8]:
            h = relu(conv(h))
        h = relu(c[8](h) + h)
        return self.fc(h.mean(dim=(2, 3)))


@pytest.fixture
def net():
    torch.manual_seed(0)
    model = AllReLUs()
    with torch.no_grad():
        # Slightly positive weights keep guided gradients alive through nine ReLUs.
        for conv in model.convs:
            conv.weight.normal_(0.05, 0.2)
    model.bn.running_mean.uniform_(-0.5, 0.5)
    model.bn.running_var.uniform_(0.5, 2.0)
    return model.eval()


def input_grad(forward, x, classes, create_graph=False):
    x = x.detach().requires_grad_(True)
    scores = forward(x).gather(1, torch.as_tensor(classes)[:, None]).sum()
    return torch.autograd.grad(scores, x, create_graph=create_graph)[0]


def test_equals_hand_written_guided_network(net):
    x = torch.randn(3, 3, 6, 6)
    classes = [0, 4, 2]
    raw = guided_backprop(net, x, classes, reduction=None)
    expected = input_grad(net.guided_twin_forward, x, classes)
    assert raw.shape == x.shape
    assert torch.equal(raw, expected)
    # The guidance changed something: the plain gradient differs.
    assert not torch.equal(raw, input_grad(net, x, classes))
    g = guided_backprop(net, x, classes)
    assert g.shape == (3, 6, 6)
    assert torch.equal(g, expected.abs().sum(1))


def test_forward_values_unchanged_by_guidance(net):
    """In-place ReLUs whose return value is ignored still update the tensor."""
    x = torch.randn(2, 3, 6, 6)
    seen = []

    def record(logits):
        seen.append(logits.detach())
        return logits[:, 0]

    guided_backprop(net, x, record)
    with torch.no_grad():
        torch.testing.assert_close(seen[0], net(x), rtol=0, atol=0)
        torch.testing.assert_close(seen[0], net.guided_twin_forward(x), rtol=0, atol=0)


def test_zero_exactly_where_input_or_incoming_gradient_is_negative():
    """ReLU on the input then a linear layer: the guided gradient is known in closed form."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.ReLU(inplace=True), nn.Flatten(), nn.Linear(3 * 4 * 4, 3))
    x = torch.randn(2, 3, 4, 4)
    x_before = x.clone()
    raw = guided_backprop(model, x, [1, 2], reduction=None)
    incoming = model[2].weight[[1, 2]].detach().view(2, 3, 4, 4)  # d score / d relu(x)
    expected = torch.where((x > 0) & (incoming > 0), incoming, torch.zeros(()))
    assert torch.equal(raw, expected)
    assert torch.equal(raw == 0, (x <= 0) | (incoming <= 0))
    assert torch.equal(x, x_before)  # the caller's tensor is not touched by the in-place ReLU


def test_second_order_gradients_match_hand_written_network(net):
    x0 = torch.randn(2, 3, 6, 6)
    scale = torch.tensor(1.5, requires_grad=True)
    classes = [1, 3]
    params = [*net.parameters(), scale]

    g = guided_backprop(net, x0 * scale, classes, create_graph=True)
    ours = torch.autograd.grad(g.pow(2).sum(), params, allow_unused=True)

    x = x0 * scale
    scores = net.guided_twin_forward(x).gather(1, torch.tensor(classes)[:, None]).sum()
    g_hand = torch.autograd.grad(scores, x, create_graph=True)[0].abs().sum(1)
    hand = torch.autograd.grad(g_hand.pow(2).sum(), params, allow_unused=True)

    torch.testing.assert_close(g, g_hand, rtol=0, atol=0)
    assert ours[0] is not None and ours[0].abs().sum() > 0
    for a, b in zip(ours, hand):
        assert (a is None) == (b is None)
        if a is not None:
            torch.testing.assert_close(a, b)
    assert not guided_backprop(net, x0, classes).requires_grad


def snapshot(model):
    return dict(
        state={k: v.clone() for k, v in model.state_dict().items()},
        modules=[(name, id(m), type(m)) for name, m in model.named_modules()],
        hooks={name: (dict(m._forward_hooks), dict(m._forward_pre_hooks),
                      dict(m._backward_hooks), dict(m._state_dict_hooks))
               for name, m in model.named_modules()},
        training=[m.training for m in model.modules()],
        grads=[p.grad for p in model.parameters()],
        requires_grad=[p.requires_grad for p in model.parameters()])


def assert_same(before, after):
    assert before['state'].keys() == after['state'].keys()
    for key, value in before['state'].items():
        assert torch.equal(value, after['state'][key]), key
    for key in ('modules', 'hooks', 'training', 'grads', 'requires_grad'):
        assert before[key] == after[key], key


def raising_hook(module, args, output):
    raise RuntimeError('forward failed on purpose')


def failing_target(logits):
    raise RuntimeError('target failed on purpose')


@pytest.mark.parametrize('case', ['ok', 'target raises', 'forward raises'])
def test_model_and_state_unchanged(net, case):
    x = torch.randn(2, 3, 6, 6)
    plain = input_grad(net, x, [0, 1])
    if case == 'forward raises':
        net.convs[5].register_forward_hook(raising_hook)
    before = snapshot(net)
    with torch.no_grad():
        if case == 'ok':
            guided_backprop(net, x, [0, 1])
        else:
            with pytest.raises(RuntimeError, match='on purpose'):
                guided_backprop(net, x, failing_target if case == 'target raises' else [0, 1])
        assert not torch.is_grad_enabled()
    assert_same(before, snapshot(net))
    assert not x.requires_grad
    if case != 'forward raises':
        # No guided ReLU is left active: plain autograd gives the plain gradient again.
        assert torch.equal(input_grad(net, x, [0, 1]), plain)


def test_inputs_that_require_grad_stay_attached(net):
    x = torch.randn(2, 3, 6, 6, requires_grad=True)
    g = guided_backprop(net, x, [0, 1], create_graph=True)
    assert torch.autograd.grad(g.sum(), x)[0].shape == x.shape
    assert x.grad is None and all(p.grad is None for p in net.parameters())


@pytest.mark.parametrize('inputs, kwargs, match', [
    (torch.randn(2, 3, 4, 4), dict(reduction='mean'), 'reduction must be one of'),
    (torch.zeros(2, 3, 4, 4, dtype=torch.long), {}, 'floating-point'),
    (torch.randn(2, 48), {}, 'use reduction=None'),
    (torch.randn(2, 3, 4, 4), dict(targets=lambda logits: torch.ones(2)), 'do not depend'),
    (torch.randn(2, 3, 4, 4), dict(targets=[[0, 1]]), 'shape \\(2,\\)'),
])
def test_errors_name_the_problem(inputs, kwargs, match):
    model = nn.Sequential(nn.Flatten(), nn.Linear(48, 3))
    with pytest.raises(ValueError, match=match):
        guided_backprop(model, inputs, **kwargs)


def test_mmpretrain_resnet18(resnet18_classifier):
    model = resnet18_classifier
    twin = copy.deepcopy(model)
    relus = [(name, m) for name, m in twin.named_modules() if isinstance(m, nn.ReLU)]
    assert relus and all(m.inplace for _, m in relus)
    for name, _ in relus:
        parent_name, _, attr = name.rpartition('.')
        setattr(twin.get_submodule(parent_name), attr, HandGuidedReLUModule())
    before = snapshot(model)
    x = torch.randn(2, 3, 64, 64)
    raw = guided_backprop(model, x, None, reduction=None)
    classes = model(x).argmax(1)
    torch.testing.assert_close(raw, input_grad(twin, x, classes), rtol=0, atol=0)
    assert not torch.equal(raw, input_grad(model, x, classes))
    assert_same(before, snapshot(model))
