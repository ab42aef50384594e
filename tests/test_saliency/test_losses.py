"""Torch losses: agreement with the metrics, reductions, degenerate maps, gradients, errors."""
import numpy as np
import pytest
import torch

from attn_plugins.saliency import (CCLoss, KLDLoss, NSSLoss, cc, cc_loss, fixation_density, kld,
                                   kld_loss, nss, nss_loss)

LOSSES = [kld_loss, nss_loss, cc_loss]


def _batch(seed, batch=3, shape=(12, 16), dtype=torch.float64):
    """Predictions, fixation maps and fixation densities as (B, H, W) tensors."""
    rng = np.random.default_rng(seed)
    prediction = rng.random((batch, *shape)) ** 2
    fixations = np.zeros((batch, *shape))
    for b in range(batch):
        fixations[b, rng.integers(0, shape[0], 4), rng.integers(0, shape[1], 4)] = 1
    density = np.stack([fixation_density(f, sigma_px=1.5) for f in fixations])
    as_tensor = lambda a: torch.tensor(a, dtype=dtype)  # noqa: E731
    return as_tensor(prediction), as_tensor(fixations), as_tensor(density)


@pytest.mark.parametrize('dtype,rel', [(torch.float64, 1e-9), (torch.float32, 1e-4)])
def test_losses_agree_with_metrics(dtype, rel):
    prediction, fixations, density = _batch(0, dtype=dtype)
    kl = kld_loss(prediction, density, reduction='none')
    ns = nss_loss(prediction, fixations, reduction='none')
    co = cc_loss(prediction, density, reduction='none')
    assert kl.shape == ns.shape == co.shape == (3,)
    for b in range(3):
        p, f, d = prediction[b].double().numpy(), fixations[b].numpy(), density[b].numpy()
        assert kl[b].item() == pytest.approx(kld(p, d), rel=rel)
        assert ns[b].item() == pytest.approx(-nss(p, f), rel=rel)
        assert co[b].item() == pytest.approx(-cc(p, d), rel=rel)


def test_channel_dimension_and_reductions():
    prediction, fixations, density = _batch(1)
    for loss, target in ((kld_loss, density), (nss_loss, fixations), (cc_loss, density)):
        per_sample = loss(prediction, target, reduction='none')
        torch.testing.assert_close(loss(prediction[:, None], target[:, None], 'none'), per_sample)
        torch.testing.assert_close(loss(prediction[:, None], target, 'none'), per_sample)
        torch.testing.assert_close(loss(prediction, target), per_sample.mean())
        torch.testing.assert_close(loss(prediction, target, reduction='sum'), per_sample.sum())


@pytest.mark.parametrize('loss', LOSSES)
def test_empty_targets_are_left_out_of_the_mean(loss):
    prediction, fixations, density = _batch(2)
    target = (fixations if loss is nss_loss else density).clone()
    target[1] = 0
    per_sample = loss(prediction, target, reduction='none')
    assert per_sample[1] == 0
    torch.testing.assert_close(loss(prediction, target), (per_sample[0] + per_sample[2]) / 2)
    assert loss(prediction, torch.zeros_like(target)) == 0


DEGENERATE_PREDICTIONS = {
    'all zero': lambda p: torch.zeros_like(p),
    'flat': lambda p: torch.full_like(p, 0.1),
    'one hot': lambda p: torch.zeros_like(p).index_put_((torch.tensor([0]),) * 3,
                                                       torch.tensor([1.0])),
}


@pytest.mark.parametrize('loss', LOSSES)
@pytest.mark.parametrize('case', DEGENERATE_PREDICTIONS)
@pytest.mark.parametrize('target_case', ['normal', 'empty', 'flat'])
@pytest.mark.parametrize('reduction', ['mean', 'none'])
def test_degenerate_maps_give_finite_values_and_gradients(loss, case, target_case, reduction):
    prediction, fixations, density = _batch(3, dtype=torch.float32)
    prediction = DEGENERATE_PREDICTIONS[case](prediction).requires_grad_()
    target = fixations if loss is nss_loss else density
    if target_case == 'empty':
        target = torch.zeros_like(target)
    elif target_case == 'flat':
        target = torch.ones_like(target)
    value = loss(prediction, target, reduction=reduction)
    assert torch.isfinite(value).all()
    value.sum().backward()
    assert torch.isfinite(prediction.grad).all()
    if target_case == 'empty':
        assert (prediction.grad == 0).all()


@pytest.mark.parametrize('loss', LOSSES)
def test_flat_prediction_scores_like_the_metric(loss):
    prediction, fixations, density = _batch(4)
    flat = torch.full_like(prediction, 0.1)
    if loss is kld_loss:
        uniform = torch.full_like(prediction, 1.0 / prediction[0].numel())
        torch.testing.assert_close(kld_loss(flat, density, 'none'),
                                   kld_loss(uniform, density, 'none'))
    else:
        target = fixations if loss is nss_loss else density
        torch.testing.assert_close(loss(flat, target, 'none'), torch.zeros(3, dtype=flat.dtype),
                                   atol=1e-12, rtol=0)


@pytest.mark.parametrize('loss', LOSSES)
def test_gradients_match_finite_differences(loss):
    prediction, fixations, density = _batch(5, batch=2, shape=(4, 5))
    target = fixations if loss is nss_loss else density
    prediction = (prediction + 0.1).requires_grad_()
    assert torch.autograd.gradcheck(lambda p: loss(p, target, reduction='sum'), (prediction,))


def test_half_precision_is_computed_in_float32():
    prediction, _, density = _batch(6, dtype=torch.float32)
    expected = kld_loss(prediction, density)
    value = kld_loss(prediction.bfloat16(), density.bfloat16())
    assert value.dtype == torch.float32 and torch.isfinite(value)
    assert value.item() == pytest.approx(expected.item(), rel=0.05)


def test_modules_match_functions():
    prediction, fixations, density = _batch(7)
    torch.testing.assert_close(KLDLoss()(prediction, density), kld_loss(prediction, density))
    torch.testing.assert_close(NSSLoss('sum')(prediction, fixations),
                               nss_loss(prediction, fixations, 'sum'))
    torch.testing.assert_close(CCLoss('none')(prediction, density),
                               cc_loss(prediction, density, 'none'))


@pytest.mark.parametrize('loss', LOSSES)
def test_minimising_each_loss_improves_its_metric(loss):
    _, fixations, density = _batch(8, batch=2, dtype=torch.float32)
    target = fixations if loss is nss_loss else density
    logits = torch.zeros(2, 12, 16, requires_grad=True)
    optimizer = torch.optim.Adam([logits], lr=0.1)
    for _ in range(100):
        value = loss(logits.flatten(1).softmax(dim=1).view_as(logits), target)
        optimizer.zero_grad()
        value.backward()
        optimizer.step()
    prediction = logits.detach().flatten(1).softmax(dim=1).view_as(logits)
    for b in range(2):
        if loss is kld_loss:
            assert kld(prediction[b], density[b]) < 0.01
        elif loss is cc_loss:
            assert cc(prediction[b], density[b]) > 0.99
        else:  # NSS rewards mass on the fixated pixels alone, beyond the blurred density
            assert nss(prediction[b], fixations[b]) > nss(density[b], fixations[b]) + 1


def test_errors_are_clear():
    prediction, fixations, _ = _batch(9)
    with pytest.raises(ValueError, match=r'\(3, 12, 16\) and \(3, 16, 12\)'):
        cc_loss(prediction, fixations.transpose(1, 2))
    with pytest.raises(ValueError, match=r'\(B, H, W\) or \(B, 1, H, W\)'):
        nss_loss(prediction[0], fixations[0])
    with pytest.raises(ValueError, match='non-negative'):
        kld_loss(prediction - 1, fixations)
    with pytest.raises(ValueError, match='torch tensors'):
        cc_loss(prediction.numpy(), fixations)
    with pytest.raises(ValueError, match='float tensor'):
        cc_loss(fixations.long(), fixations)
    with pytest.raises(ValueError, match="reduction must be one of"):
        KLDLoss(reduction='average')
    with pytest.raises(ValueError, match="reduction must be one of"):
        nss_loss(prediction, fixations, reduction='batchmean')
