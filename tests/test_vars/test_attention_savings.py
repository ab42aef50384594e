"""VARS attention's cheaper algebra and its compiled path against the plain formulation.

The plain formulation (the one before issue 17's savings) forms ``G = D^T D``, takes the
step bound from its absolute row sums and LISTA's ``A G A`` from it. The module now takes
the route with the fewest multiply-adds: with few tokens it works from ``D`` (VARS-D's
bound from ``D^T (D 1)``, ``A G A`` as ``(D A^T)^T (D A)`` or never formed). Outputs and
gradients must agree within 1e-5 in float32.
"""
import math
import os
import shutil

import pytest
import torch
import torch.nn.functional as F
from torch._dynamo.utils import counters

from attn_plugins.vars import ISTA, LISTA, VARSAttention, gram_step_bound
from attn_plugins.vars.solvers import cheapest_route, nonnegative_step_bound


def plain_attention(attn, x, hw=None):
    """VARS-D / VARS-SD written out with an explicit Gram matrix: ``(B, N, C)``."""
    B, N, C = x.shape
    heads, d, m = attn.num_heads, attn.head_dims, attn.num_rand_features
    qv = (x @ attn.qv.weight.T + attn.qv.bias).reshape(B, N, 2, heads, d)
    q, v = qv.permute(2, 0, 3, 1, 4)
    q = q / q.norm(dim=-1, keepdim=True)
    phi = torch.exp(q @ attn.rand_proj - (q * q).sum(-1, keepdim=True) / 2) / math.sqrt(m)
    if attn.dictionary == 'static_dynamic':
        phi = torch.cat([phi, attn._static_atoms(N, hw).expand(B, -1, -1, -1)], dim=-1)
    D = phi / phi.norm(dim=-2, keepdim=True)
    G = D.transpose(-2, -1) @ D
    b = D.transpose(-2, -1) @ v
    L = G.detach().abs().sum(dim=-1).amax(dim=-1)[..., None, None] + 1
    solver = attn.solver
    if isinstance(solver, LISTA):
        A = solver.gram_transform
        theta = solver.lam * solver.threshold_scale
        step = L / solver.step_scale

        def shrink(z, t):
            return torch.sign(z) * F.gelu(z.abs() - t)

        G_learned = A @ G @ A
        a = shrink(b, theta)
        for _ in range(solver.num_steps):
            a = shrink(a - (G_learned @ a - b) / step, theta / step)
    else:
        a = torch.zeros_like(b)
        for _ in range(solver.num_steps):
            z = a - (G @ a - b) / L
            a = torch.sign(z) * torch.relu(z.abs() - solver.lam / L)
    out = (D @ a).transpose(1, 2).reshape(B, N, C)
    return out @ attn.proj.weight.T + attn.proj.bias


def perturbed(attn):
    """Move LISTA's learned pieces off their identity / unit start (A not symmetric)."""
    if isinstance(attn.solver, LISTA):
        with torch.no_grad():
            size = attn.solver.gram_transform.shape[0]
            attn.solver.gram_transform.add_(0.05 * torch.randn(size, size))
            attn.solver.threshold_scale.fill_(0.8)
            attn.solver.step_scale.fill_(1.2)
    return attn


def outputs_and_gradients(fn, attn, x, weight):
    """``fn``'s output and the gradients of ``(out * weight).sum()`` for x and parameters."""
    x = x.detach().requires_grad_()
    attn.zero_grad()
    out = fn(x)
    (out * weight).sum().backward()
    grads = {name: p.grad.clone() for name, p in attn.named_parameters()}
    return out.detach(), x.grad, grads


KINDS = [('dynamic', 'lista'), ('dynamic', 'ista'), ('static_dynamic', 'lista'),
         ('static_dynamic', 'ista')]


def compare(dictionary, solver, embed_dims, heads, side, extra, dtype, tol):
    torch.manual_seed(0)
    attn = perturbed(VARSAttention(embed_dims, heads, dictionary=dictionary, solver=solver,
                                   static_grid=(side, side), num_extra_tokens=extra))
    attn = attn.to(dtype)
    tokens = extra + side * side
    x = torch.randn(2, tokens, embed_dims, dtype=dtype)
    weight = torch.randn(2, tokens, embed_dims, dtype=dtype)
    expected = outputs_and_gradients(lambda x: plain_attention(attn, x), attn, x, weight)
    actual = outputs_and_gradients(attn, attn, x, weight)
    torch.testing.assert_close(actual[0], expected[0], rtol=tol, atol=tol)
    torch.testing.assert_close(actual[1], expected[1], rtol=tol, atol=tol)
    for name, grad in expected[2].items():
        torch.testing.assert_close(actual[2][name], grad, rtol=tol, atol=tol * grad.abs().max(),
                                   msg=name)


def test_the_cases_cover_every_route():
    # Width 48, 3 heads (m = 32, d = 16) and ViT-S (m = 128, d = 64); 5 steps. VARS-SD has
    # twice the atoms and forms G for its (signed) step bound.
    def routes(size, channels, tokens, **kwargs):
        return [cheapest_route(n, size, channels, 5, **kwargs) for n in tokens]

    assert routes(32, 16, (17, 25, 49), gram_formed=False, learned=True) == [
        'factored', 'product', 'gram']
    assert routes(32, 16, (17, 49), gram_formed=False, learned=False) == ['factored', 'gram']
    assert routes(64, 16, (17, 49), gram_formed=True, learned=True) == ['factored', 'gram']
    assert routes(64, 16, (17, 49), gram_formed=True, learned=False) == ['factored', 'gram']
    assert routes(128, 64, (50, 101, 197), gram_formed=False, learned=True) == [
        'factored', 'product', 'gram']
    assert routes(256, 64, (50, 197), gram_formed=True, learned=True) == ['factored', 'gram']
    # The benchmark's token counts: 49 works from D, 196 and 784 form G.
    assert routes(128, 64, (49, 196, 784), gram_formed=False, learned=True) == [
        'factored', 'gram', 'gram']


@pytest.mark.parametrize('side,extra', [(4, 1), (5, 0), (7, 0)])
@pytest.mark.parametrize('dictionary,solver', KINDS)
def test_savings_match_the_plain_formulation_in_float32(dictionary, solver, side, extra):
    compare(dictionary, solver, 48, 3, side, extra, torch.float32, 1e-5)


@pytest.mark.parametrize('side,extra', [(7, 1), (10, 1), (14, 1)])
@pytest.mark.parametrize('dictionary,solver', KINDS)
def test_savings_match_the_plain_formulation_at_vit_small_width(dictionary, solver, side,
                                                                extra):
    # ViT-S (384, 6 heads, m = 128). Float64, because in float32 the released shrinkage's
    # jump at z = 0 (sign(z) GELU(|z| - theta) leaps by 2 |GELU(-theta)|) turns a
    # rounding-sized change of one pre-shrink value into a visible one: among the ~6 * 10^5
    # shrinkages of this size some land within rounding of 0, and then even the old module
    # and this plain formulation differ by up to ~1e-4 in the output.
    compare(dictionary, solver, 384, 6, side, extra, torch.float64, 1e-10)


def test_nonnegative_step_bound_is_the_gram_bound():
    torch.manual_seed(0)
    dictionary = torch.rand(3, 2, 20, 12, dtype=torch.float64)
    gram = dictionary.transpose(-2, -1) @ dictionary
    torch.testing.assert_close(nonnegative_step_bound(dictionary), gram_step_bound(gram))


@pytest.mark.parametrize('learned', [False, True])
@pytest.mark.parametrize('tokens', [4, 14, 40])  # m = 16, d = 8: every route of LISTA
def test_solvers_from_the_dictionary_match_their_gram_form(learned, tokens):
    torch.manual_seed(0)
    solver = (LISTA(16, num_steps=3) if learned else ISTA(num_steps=3, lam=0.1)).double()
    if learned:
        with torch.no_grad():
            solver.gram_transform.add_(0.1 * torch.randn(16, 16, dtype=torch.float64))
    dictionary = torch.randn(2, 3, tokens, 16, dtype=torch.float64)  # signed: any D works
    gram = dictionary.transpose(-2, -1) @ dictionary
    b = dictionary.transpose(-2, -1) @ torch.randn(2, 3, tokens, 8, dtype=torch.float64)
    bound = gram_step_bound(gram)
    expected = solver(gram, b, bound)
    torch.testing.assert_close(solver.solve(dictionary, b, bound), expected)
    torch.testing.assert_close(solver.solve(dictionary, b, bound, gram=gram), expected)


def cxx_compiler():
    """The C++ compiler torch.compile's CPU backend would call, or None."""
    candidates = (os.environ.get('CXX'), 'g++', 'c++', 'clang++')
    return next((c for c in candidates if c and shutil.which(c)), None)


@pytest.mark.skipif(cxx_compiler() is None,
                    reason='torch.compile on CPU builds C++ kernels: no C++ compiler found '
                    '(set CXX or install g++)')
def test_compiled_attention_matches_eager():
    torch._dynamo.reset()
    counters.clear()
    torch.manual_seed(0)
    eager = perturbed(VARSAttention(48, 3))
    compiled = VARSAttention(48, 3, compile=True)
    compiled.load_state_dict(eager.state_dict())
    assert compiled.use_compile and 'compile=True' in repr(compiled)
    x = torch.randn(2, 17, 48)
    weight = torch.randn(2, 17, 48)
    expected = outputs_and_gradients(eager, eager, x, weight)
    actual = outputs_and_gradients(compiled, compiled, x, weight)
    assert counters['stats']['unique_graphs'] == 1  # compiled, in one graph
    torch.testing.assert_close(actual[0], expected[0], rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(actual[1], expected[1], rtol=1e-5, atol=1e-5)
    for name, grad in expected[2].items():
        torch.testing.assert_close(actual[2][name], grad, rtol=1e-5,
                                   atol=1e-5 * grad.abs().max(), msg=name)
    codes = compiled(x, return_codes=True)[1]['codes']
    torch.testing.assert_close(codes, eager(x, return_codes=True)[1]['codes'], rtol=1e-5,
                               atol=1e-5)


def test_backbone_passes_compile_through_attn_cfg():
    from attn_plugins.vars.backbones import build_vars_mixer
    mixer = build_vars_mixer(dict(dictionary='dynamic', compile=True), 48, 3, (4, 4), 1)
    assert isinstance(mixer, VARSAttention) and mixer.use_compile
    assert not build_vars_mixer(dict(), 48, 3, (4, 4), 1).use_compile
