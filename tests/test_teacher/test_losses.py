"""The attention loss and the fixation-like map, against hand-computed values."""
import math

import pytest
import torch

from attn_plugins.teacher import fixation_like_map, teacher_attention_loss

# Prediction m_p over a 2x2 grid, and a teacher map m_t given at 4x4 (2x2 blocks of one
# value), so area pooling brings it to [[2, 1], [0, 0]] / 4 exactly.
PRED = torch.tensor([[[0.5, 0.25], [0.25, 0.0]]])
TEACHER = torch.tensor([[[2., 1.], [0., 0.]]]).repeat_interleave(2, 1).repeat_interleave(2, 2)
# KLD: q = (2/3, 1/3, 0, 0), p = (1/2, 1/4, 1/4, 0):
#   2/3 ln((2/3) / (1/2)) + 1/3 ln((1/3) / (1/4)) = ln(4/3).
KLD = math.log(4 / 3)
# NSS: mean(p) = 1/4, population std = sqrt((1/16 + 0 + 0 + 1/16) / 4) = sqrt(2) / 8, so the
# standardised map is (sqrt 2, 0, 0, -sqrt 2).
Z_TOP_LEFT, Z_TOP_RIGHT = math.sqrt(2), 0.0


def test_kld_and_topk_nss_terms_match_hand_computed_values():
    terms = teacher_attention_loss(PRED, TEACHER, lam=2.0, beta=0.5, fixation_from='topk',
                                   fixation_ratio=0.25)  # top 1 of 4 cells: the top-left one
    assert terms.kld.item() == pytest.approx(2.0 * KLD, rel=1e-6)
    assert terms.nss.item() == pytest.approx(-0.5 * Z_TOP_LEFT, rel=1e-6)
    assert terms.total.item() == pytest.approx(2.0 * KLD - 0.5 * Z_TOP_LEFT, rel=1e-6)


def test_threshold_p_t_and_human_fixations():
    # >= 0.4 of the maximum (2): the cells holding 2 and 1.
    terms = teacher_attention_loss(PRED, TEACHER, fixation_from='threshold', fixation_ratio=0.4)
    assert terms.nss.item() == pytest.approx(-(Z_TOP_LEFT + Z_TOP_RIGHT) / 2, rel=1e-6)
    # A human fixation at pixel (3, 0) of the 4x4 map falls in the bottom-left cell, whose
    # standardised value is 0; one at (0, 1) in the top-left cell (sqrt 2).
    fixations = torch.zeros(1, 4, 4)
    fixations[0, 3, 0] = fixations[0, 0, 1] = 1
    terms = teacher_attention_loss(PRED, TEACHER, fixation_map=fixations)
    assert terms.nss.item() == pytest.approx(-(Z_TOP_LEFT + 0.0) / 2, rel=1e-6)


def test_sample_without_target_is_left_out_of_the_mean():
    alone = teacher_attention_loss(PRED, TEACHER)
    both = teacher_attention_loss(PRED.repeat(2, 1, 1),
                                  torch.cat([TEACHER, torch.zeros_like(TEACHER)]))
    assert both.kld.item() == pytest.approx(alone.kld.item(), rel=1e-6)
    assert both.nss.item() == pytest.approx(alone.nss.item(), rel=1e-6)
    per_sample = teacher_attention_loss(PRED.repeat(2, 1, 1),
                                        torch.cat([TEACHER, torch.zeros_like(TEACHER)]),
                                        reduction='none')
    assert per_sample.kld[1].item() == 0 and per_sample.nss[1].item() == 0


def test_fixation_like_map_methods():
    m_t = torch.tensor([[[0.1, 0.9, 0.3], [0.6, 0.0, 0.2]]])
    assert fixation_like_map(m_t, 'topk', ratio=0.5).tolist() == [[[0, 1, 1], [1, 0, 0]]]
    assert fixation_like_map(m_t, 'topk', ratio=0.01).sum() == 1  # at least one position
    assert fixation_like_map(m_t, 'threshold', ratio=0.5).tolist() == [[[0, 1, 0], [1, 0, 0]]]
    generator = torch.Generator().manual_seed(0)
    sampled = fixation_like_map(m_t.repeat(200, 1, 1), 'sample', num_fixations=3,
                                generator=generator)
    assert ((sampled == 0) | (sampled == 1)).all() and (sampled.flatten(1).sum(1) <= 3).all()
    assert sampled[:, 1, 1].sum() == 0  # zero saliency is never fixated
    # Fixation frequency follows the map: the 0.9 position beats the 0.1 one.
    assert sampled[:, 0, 1].sum() > 3 * sampled[:, 0, 0].sum()
    for method in ('topk', 'threshold', 'sample'):
        assert fixation_like_map(torch.zeros(1, 2, 3), method).sum() == 0


def test_gradients_flow_and_bad_inputs_are_named():
    logits = torch.randn(3, 5, 5, requires_grad=True)
    m_p = logits.flatten(1).softmax(1).view_as(logits)
    teacher_attention_loss(m_p, torch.rand(3, 20, 20)).total.backward()
    assert torch.isfinite(logits.grad).all() and logits.grad.abs().sum() > 0
    with pytest.raises(ValueError, match='fixation_from'):
        teacher_attention_loss(m_p, torch.rand(3, 20, 20), fixation_from='peaks')
    with pytest.raises(ValueError, match='at least as large'):
        teacher_attention_loss(m_p, torch.rand(3, 4, 4))
    with pytest.raises(ValueError, match='ratio'):
        fixation_like_map(torch.rand(1, 4, 4), 'topk', ratio=0)
