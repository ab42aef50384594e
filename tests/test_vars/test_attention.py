"""VARS-D / VARS-SD attention and its solvers, checked against hand computations."""
import io
import math

import pytest
import torch
import torch.nn.functional as F

from attn_plugins.vars import (ISTA, LISTA, VARSAttention, gelu_shrink,
                               positive_random_features)


def hand_qv(attn, x):
    """q (L2-normalised) and v per head, straight from the qv weights: lists of (B, N, d)."""
    out = x @ attn.qv.weight.T + attn.qv.bias
    C, d = attn.embed_dims, attn.head_dims
    qs = [out[..., h * d:(h + 1) * d] for h in range(attn.num_heads)]
    vs = [out[..., C + h * d:C + (h + 1) * d] for h in range(attn.num_heads)]
    qs = [q / q.norm(dim=-1, keepdim=True) for q in qs]
    return qs, vs


def hand_dictionary(attn, q, head):
    """Positive random features of one head with unit columns over tokens: (B, N, m)."""
    W = attn.rand_proj[head]
    m = W.shape[1]
    phi = torch.exp(q @ W - (q * q).sum(-1, keepdim=True) / 2) / math.sqrt(m)
    return phi / phi.norm(dim=-2, keepdim=True)


def objective(v, D, a, lam):
    """0.5 |v - D a|^2 + lam |a|_1 summed over value channels, one value per problem."""
    return 0.5 * (v - D @ a).pow(2).sum(dim=(-2, -1)) + lam * a.abs().sum(dim=(-2, -1))


def test_random_features_estimate_the_softmax_kernel():
    # E[phi(x) . phi(y)] = exp(x . y): a Monte-Carlo check with many features.
    torch.manual_seed(0)
    x = F.normalize(torch.randn(1, 1, 3, 4, dtype=torch.float64), dim=-1)
    W = torch.randn(1, 4, 200_000, dtype=torch.float64)
    phi = positive_random_features(x, W)[0, 0]
    assert (phi > 0).all()
    estimate = phi @ phi.T
    exact = torch.exp(x[0, 0] @ x[0, 0].T)
    torch.testing.assert_close(estimate, exact, rtol=0.03, atol=0)


def test_plain_ista_objective_never_increases():
    torch.manual_seed(0)
    lam = 0.05
    attn = VARSAttention(32, num_heads=2, solver='ista', num_steps=1, lam=lam).double()
    x = torch.randn(3, 40, 32, dtype=torch.float64)
    qs, vs = hand_qv(attn, x)
    values = []
    for steps in range(0, 9):
        if steps == 0:  # plain ISTA starts from a = 0
            codes = torch.zeros(3, 2, attn.num_rand_features, 16, dtype=torch.float64)
        else:
            attn.solver.num_steps = steps
            codes = attn(x, return_codes=True)[1]['codes']
        values.append(torch.stack([
            objective(vs[h], hand_dictionary(attn, qs[h], h), codes[:, h], lam)
            for h in range(2)], dim=1))
    values = torch.stack(values)  # (steps, B, heads)
    assert (values[1:] <= values[:-1] + 1e-9).all()
    assert (values[-1] < values[0] - 1e-3).all()


def test_step_bound_is_above_the_top_eigenvalue():
    torch.manual_seed(0)
    attn = VARSAttention(32, num_heads=2).double()
    x = torch.randn(2, 30, 32, dtype=torch.float64)
    dictionary = attn(x, return_codes=True)[1]['dictionary']
    gram = dictionary.transpose(-2, -1) @ dictionary
    top = torch.linalg.eigvalsh(gram)[..., -1]
    bound = gram.sum(dim=-1).amax(dim=-1) + 1  # D >= 0, so abs row sums are plain sums
    assert (bound >= top).all()


def test_one_step_without_sparsity_is_linear_attention():
    torch.manual_seed(0)
    attn = VARSAttention(24, num_heads=3, solver='ista', num_steps=1, lam=0.).double()
    x = torch.randn(2, 17, 24, dtype=torch.float64)
    qs, vs = hand_qv(attn, x)
    heads = []
    for h in range(3):
        D = hand_dictionary(attn, qs[h], h)
        G = D.transpose(-2, -1) @ D
        L = G.sum(dim=-1).amax(dim=-1)[:, None, None] + 1
        heads.append(D @ D.transpose(-2, -1) @ vs[h] / L)  # (B, N, d)
    expected = torch.cat(heads, dim=-1) @ attn.proj.weight.T + attn.proj.bias
    torch.testing.assert_close(attn(x), expected)


def test_lista_first_pass_follows_the_released_update():
    torch.manual_seed(0)
    solver = LISTA(6, num_steps=2, lam=0.3).double()
    with torch.no_grad():
        solver.gram_transform.add_(0.1 * torch.randn(6, 6, dtype=torch.float64))
        solver.threshold_scale.fill_(0.7)
        solver.step_scale.fill_(1.3)
    D = torch.rand(10, 6, dtype=torch.float64)
    v = torch.randn(10, 3, dtype=torch.float64)
    G, b, L = D.T @ D, D.T @ v, torch.tensor(5.0, dtype=torch.float64)

    def shrink(z, t):
        return torch.sign(z) * F.gelu(z.abs() - t)

    A = solver.gram_transform.detach()
    theta, step = 0.3 * 0.7, L / 1.3
    a = shrink(b, theta)
    for _ in range(2):
        a = shrink(a - (A @ G @ A @ a - b) / step, theta / step)
    torch.testing.assert_close(solver(G, b, L), a)


@pytest.mark.parametrize('dictionary,solver', [('dynamic', 'lista'), ('dynamic', 'ista'),
                                               ('static_dynamic', 'lista')])
def test_gradients_reach_every_parameter(dictionary, solver):
    torch.manual_seed(0)
    attn = VARSAttention(32, num_heads=4, dictionary=dictionary, solver=solver,
                         static_grid=(4, 4), num_extra_tokens=1)
    attn(torch.randn(2, 17, 32)).square().sum().backward()
    for name, param in attn.named_parameters():
        assert param.grad is not None and param.grad.abs().sum() > 0, name
    names = dict(attn.named_parameters())
    assert 'rand_proj' not in names and not attn.rand_proj.requires_grad
    assert attn.rand_proj.grad is None


def test_random_features_are_saved_and_loaded():
    torch.manual_seed(0)
    first = VARSAttention(32, num_heads=4)
    torch.manual_seed(1)
    second = VARSAttention(32, num_heads=4)
    assert 'rand_proj' in first.state_dict()
    assert not torch.equal(first.rand_proj, second.rand_proj)
    buffer = io.BytesIO()
    torch.save(first.state_dict(), buffer)
    buffer.seek(0)
    second.load_state_dict(torch.load(buffer, weights_only=True))
    x = torch.randn(2, 10, 32)
    torch.testing.assert_close(second(x), first(x), rtol=0, atol=0)


def test_dynamic_dictionary_works_at_two_resolutions():
    attn = VARSAttention(32, num_heads=4)
    for tokens in (1 + 14 * 14, 1 + 7 * 7):
        out, info = attn(torch.randn(2, tokens, 32), return_codes=True)
        assert out.shape == (2, tokens, 32)
        assert info['codes'].shape == (2, 4, 16, 8)
        assert info['dictionary'].shape == (2, 4, tokens, 16)


def test_static_dictionary_is_interpolated_to_a_new_grid():
    torch.manual_seed(0)
    attn = VARSAttention(16, num_heads=2, dictionary='static_dynamic', static_grid=(4, 4),
                         num_extra_tokens=1).double()
    m = attn.num_rand_features
    out, info = attn(torch.randn(2, 1 + 6 * 6, 16, dtype=torch.float64), hw=(6, 6),
                     return_codes=True)
    assert out.shape == (2, 37, 16) and info['codes'].shape == (2, 2, 2 * m, 8)

    static = attn.static_dict.detach()  # (heads, 1 + 16, m)
    grid = static[:, 1:].reshape(2, 4, 4, m).permute(0, 3, 1, 2)  # (heads, m, 4, 4)
    grid = F.interpolate(grid, size=(6, 6), mode='bicubic', align_corners=False)
    expected = torch.cat([static[:, :1], grid.permute(0, 2, 3, 1).reshape(2, 36, m)], dim=1)
    expected = expected / expected.norm(dim=-2, keepdim=True)
    torch.testing.assert_close(info['dictionary'][0, :, :, m:], expected)


def test_static_dictionary_rejects_a_new_token_count_without_the_grid():
    attn = VARSAttention(16, num_heads=2, dictionary='static_dynamic', static_grid=4,
                         num_extra_tokens=1)
    assert attn(torch.randn(1, 17, 16)).shape == (1, 17, 16)
    with pytest.raises(ValueError, match=r'built for 17 tokens.*hw=\(H, W\)'):
        attn(torch.randn(1, 26, 16))
    with pytest.raises(ValueError, match='got 26 tokens and hw=\\(4, 4\\)'):
        attn(torch.randn(1, 26, 16), hw=(4, 4))


@pytest.mark.parametrize('kwargs,match', [
    (dict(dictionary='static'), 'dictionary must be one of'),
    (dict(solver='fista'), 'solver must be one of'),
    (dict(num_heads=5), 'divisible by num_heads'),
    (dict(dictionary='static_dynamic'), 'needs static_grid'),
    (dict(num_steps=0), 'num_steps must be a positive int'),
    (dict(lam=-1.), 'lam'),
])
def test_bad_options_raise_value_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        VARSAttention(32, **{'num_heads': 4, **kwargs})


def test_ista_module_matches_gram_form_of_the_objective():
    # The solver sees only G and b: check its objective drop on a random dense problem too.
    torch.manual_seed(0)
    D = torch.rand(4, 25, 10, dtype=torch.float64)
    v = torch.randn(4, 25, 3, dtype=torch.float64)
    G, b = D.transpose(-2, -1) @ D, D.transpose(-2, -1) @ v
    L = torch.linalg.eigvalsh(G)[:, -1, None, None]  # the tightest valid bound
    values = [objective(v, D, ISTA(num_steps=k, lam=0.2)(G, b, L), 0.2) for k in range(1, 30)]
    values = torch.stack(values)
    assert (values[1:] <= values[:-1] + 1e-9).all()


def test_gelu_shrink_gradients_match_autograd_including_second_order():
    torch.manual_seed(0)
    z = torch.randn(3, 4, 5, dtype=torch.float64, requires_grad=True)
    theta = torch.rand(3, 1, 1, dtype=torch.float64, requires_grad=True)
    torch.autograd.gradcheck(gelu_shrink, (z, theta))
    torch.autograd.gradgradcheck(gelu_shrink, (z, theta))
    reference = torch.sign(z) * F.gelu(z.abs() - theta)
    torch.testing.assert_close(gelu_shrink(z, theta), reference)
    assert gelu_shrink(z, 0.5).shape == z.shape
