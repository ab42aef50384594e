"""The student's attention head and the teacher's decoder (pure torch)."""
import numpy as np
import pytest
import torch

from attn_plugins.saliency import cc, center_bias
from attn_plugins.teacher import GaussianCenterBias, SaliencyDecoder, SpatialAttentionHead


def blob_batch(generator, batch=8, size=8, channels=16):
    """Feature maps whose channel 0 marks a blob, and the teacher map of that blob at 4x."""
    rows = torch.arange(size * 4).float()[:, None] / 4
    cols = torch.arange(size * 4).float()[None, :] / 4
    centres = torch.rand(batch, 2, generator=generator) * (size - 2) + 1
    teacher = torch.stack([torch.exp(-((rows - r) ** 2 + (cols - c) ** 2) / 2.0)
                           for r, c in centres])  # (B, 4*size, 4*size)
    feats = torch.randn(batch, channels, size, size, generator=generator)
    feats[:, 0] = torch.nn.functional.avg_pool2d(teacher[:, None], 4)[:, 0] * 3
    return feats, teacher


def mean_cc(head, feats, teacher):
    with torch.no_grad():
        pred = head(feats)
    target = torch.nn.functional.adaptive_avg_pool2d(teacher[:, None], pred.shape[-2:])[:, 0]
    return float(np.mean([cc(p, t) for p, t in zip(pred, target)]))


def test_head_outputs_a_distribution_over_positions():
    head = SpatialAttentionHead(in_channels=16, hid_channels=8)
    m_p = head(torch.randn(3, 16, 5, 7))
    assert m_p.shape == (3, 5, 7) and (m_p >= 0).all()
    assert torch.allclose(m_p.sum(dim=(1, 2)), torch.ones(3))
    with pytest.raises(ValueError, match='fixation_from'):
        SpatialAttentionHead(16, fixation_from='peaks')


def test_attention_loss_alone_moves_the_prediction_toward_the_teacher_map():
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(0)
    head = SpatialAttentionHead(in_channels=16, hid_channels=8, lam=1.0, beta=0.5)
    feats, teacher = blob_batch(generator)
    held_out = blob_batch(generator)
    before = mean_cc(head.eval(), *held_out)
    optimizer = torch.optim.Adam(head.parameters(), lr=1e-2)
    head.train()
    losses = []
    for _ in range(30):
        terms = head.loss(feats, teacher)
        optimizer.zero_grad()
        terms.total.backward()
        optimizer.step()
        losses.append(terms.total.item())
    after = mean_cc(head.eval(), *held_out)
    assert losses[-1] < losses[0]
    # On feature maps it was not trained on, the prediction now follows the teacher.
    assert before < 0.3 and after > 0.6, (before, after)


def test_untrained_decoder_predicts_the_center_bias_and_learns_its_prior():
    decoder = SaliencyDecoder(in_channels=(8, 16), channels=4)
    feats = (torch.randn(2, 8, 6, 8), torch.randn(2, 16, 3, 4))
    logits = decoder(feats, (30, 40))
    density = logits.flatten(1).softmax(1).view_as(logits)
    expected = torch.from_numpy(center_bias((30, 40))).float()
    assert torch.allclose(density, expected.expand_as(density), atol=1e-7)
    # The prior's mean and width are parameters: a shifted mean moves the peak.
    prior = GaussianCenterBias(sigma=0.1)
    with torch.no_grad():
        prior.mean.copy_(torch.tensor([0.2625, -0.2375]))  # (y, x): pixel (30, 10)'s centre
    assert divmod(int(prior((40, 40)).argmax()), 40) == (30, 10)
    with pytest.raises(ValueError, match='out_indices'):
        decoder(feats[:1], (30, 40))
