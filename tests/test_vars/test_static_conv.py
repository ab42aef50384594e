"""VARS-S against a dense, hand-built circulant dictionary."""
import pytest
import torch

from attn_plugins.vars import VARSStaticConv

H, W, C, K = 4, 5, 3, 2


def dense_dictionary(templates):
    """Per-channel dense D: columns are the unit templates circularly shifted to each code
    position, ordered (template, row, col). Shape (C, H*W, K*H*W)."""
    templates = templates / templates.flatten(-2).norm(dim=-1)[..., None, None]
    columns = []
    for k in range(templates.shape[1]):
        for i in range(H):
            for j in range(W):
                columns.append(torch.roll(templates[:, k], shifts=(i, j), dims=(-2, -1)))
    return torch.stack(columns, dim=-1).flatten(1, 2)


def hand_values(mixer, x):
    """v per channel as a flat image, (B, C, H*W)."""
    return (x @ mixer.v.weight.T + mixer.v.bias).transpose(1, 2)


def test_step_bound_is_the_top_eigenvalue_of_the_gram():
    torch.manual_seed(0)
    mixer = VARSStaticConv(C, (H, W), num_templates=K).double()
    D = dense_dictionary(mixer.templates.detach())
    top = torch.linalg.eigvalsh(D.transpose(-2, -1) @ D)[:, -1]
    torch.testing.assert_close(mixer.step_bound(mixer.template_spectra()).flatten(), top)


def test_ista_objective_never_increases_and_reconstruction_matches():
    torch.manual_seed(0)
    lam = 0.5
    mixer = VARSStaticConv(C, (H, W), num_templates=K, lam=lam).double()
    with torch.no_grad():
        mixer.out_filter.normal_()
    x = torch.randn(2, H * W, C, dtype=torch.float64)
    v = hand_values(mixer, x)
    D = dense_dictionary(mixer.templates.detach())  # (C, HW, K*HW)
    thresholds = lam * v.std(dim=-1, unbiased=False)  # (B, C)
    values = []
    for steps in range(6):
        mixer.num_steps = steps
        out, info = mixer(x, return_codes=True)
        codes = info['codes'].flatten(2)  # (B, C, K*HW)
        recon = torch.einsum('cpq,bcq->bcp', D, codes)
        values.append(0.5 * (v - recon).pow(2).sum(-1) + thresholds * codes.abs().sum(-1))
    values = torch.stack(values)
    assert (values[1:] <= values[:-1] + 1e-9).all()
    assert (values[-1] < values[0]).all()
    assert (codes != 0).any()

    # Output: reconstruction, circular filter with out_filter, then the projection.
    filt = mixer.out_filter.detach()
    recon = recon.reshape(2, C, H, W)
    filtered = torch.zeros_like(recon)
    for i in range(H):
        for j in range(W):
            filtered += filt[:, i, j, None, None] * torch.roll(recon, (i, j), dims=(-2, -1))
    expected = filtered.flatten(2).transpose(1, 2) @ mixer.proj.weight.T + mixer.proj.bias
    torch.testing.assert_close(out, expected)


def test_gradients_reach_every_parameter():
    torch.manual_seed(0)
    mixer = VARSStaticConv(8, 6, lam=1.0)
    mixer(torch.randn(2, 36, 8)).square().sum().backward()
    for name, param in mixer.named_parameters():
        assert param.grad is not None and param.grad.abs().sum() > 0, name


def test_wrong_grid_raises():
    mixer = VARSStaticConv(8, 6)
    with pytest.raises(ValueError, match='need N = 36 tokens'):
        mixer(torch.randn(1, 49, 8))
    with pytest.raises(ValueError, match='templates are 6x6'):
        mixer(torch.randn(1, 36, 8), hw=(4, 9))
