"""CAST's Grad-CAM loss (pure torch) against hand computations."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from attn_plugins.cast import cast_grad_cam_loss, mask_background, mask_to_grid


def pooled_linear_scores(activations, weight, keys):
    """score_i = normalize(W @ mean_hw(A_i)) . k_i, the CAST score with a linear neck."""
    z = activations.mean(dim=(2, 3)) @ weight.T  # B x D
    return (F.normalize(z, dim=1) * keys).sum(dim=1)


def hand_grad_cam(activations, weight, keys, eps=1e-7):
    """Grad-CAM of pooled_linear_scores by the chain rule, without autograd."""
    b, c, h, w = activations.shape
    z = activations.mean(dim=(2, 3)) @ weight.T  # B x D
    norm = z.norm(dim=1, keepdim=True)
    q = z / norm
    # d(q.k)/dz = (I - q q^T) k / |z|
    dz = (keys - (q * keys).sum(dim=1, keepdim=True) * q) / norm
    dp = dz @ weight  # B x C: gradient w.r.t. the pooled features
    channel_weights = dp / (h * w)  # spatial mean of dA = dp / (h w) at every position
    cam = torch.relu((channel_weights[:, :, None, None] * activations).sum(dim=1))
    flat = cam.flatten(1)
    low, high = flat.min(dim=1, keepdim=True).values, flat.max(dim=1, keepdim=True).values
    return ((flat - low) / (high - low + eps)).view(b, h, w)


@pytest.fixture
def problem():
    torch.manual_seed(0)
    activations = torch.randn(3, 5, 4, 4, dtype=torch.float64).relu().requires_grad_()
    weight = torch.randn(6, 5, dtype=torch.float64)
    keys = F.normalize(torch.randn(3, 6, dtype=torch.float64), dim=1)
    masks = torch.zeros(3, 8, 8, dtype=torch.float64)
    masks[0, :4, :4] = 1
    masks[1, 2:8, 3:8] = 1
    masks[2, :, :2] = 1
    return activations, weight, keys, masks


def test_per_sample_loss_equals_hand_computation(problem):
    activations, weight, keys, masks = problem
    valid = torch.tensor([True, True, True])
    loss = cast_grad_cam_loss(activations, pooled_linear_scores(activations, weight, keys),
                              masks, valid)
    cams = hand_grad_cam(activations.detach(), weight, keys)
    # the area fraction of 8x8 -> 4x4 averages each 2x2 block
    targets = masks.view(3, 4, 2, 4, 2).mean(dim=(2, 4))
    cosines = [F.cosine_similarity(cams[i].flatten(), targets[i].flatten(), dim=0)
               for i in range(3)]
    expected = 1 - torch.stack(cosines).mean()
    assert loss.item() == pytest.approx(expected.item(), rel=1e-9)


def test_batch_cosine_is_one_cosine_over_the_valid_batch(problem):
    activations, weight, keys, masks = problem
    valid = torch.tensor([True, False, True])
    loss = cast_grad_cam_loss(activations, pooled_linear_scores(activations, weight, keys),
                              masks, valid, cosine='batch')
    cams = hand_grad_cam(activations.detach(), weight, keys)[[0, 2]]
    targets = masks.view(3, 4, 2, 4, 2).mean(dim=(2, 4))[[0, 2]]
    expected = 1 - F.cosine_similarity(cams.flatten(), targets.flatten(), dim=0)
    assert loss.item() == pytest.approx(expected.item(), rel=1e-9)


def test_invalid_samples_do_not_count(problem):
    activations, weight, keys, masks = problem
    scores = pooled_linear_scores(activations, weight, keys)
    valid = torch.tensor([True, False, True])
    other = masks.clone()
    other[1] = 1 - other[1]
    a = cast_grad_cam_loss(activations, scores, masks, valid)
    b = cast_grad_cam_loss(activations, scores, other, valid)
    assert a.item() == pytest.approx(b.item(), rel=1e-12)
    none = cast_grad_cam_loss(activations, scores, masks, torch.zeros(3, dtype=torch.bool))
    assert none.item() == 0
    none.backward()  # still part of the graph, with zero gradient
    assert torch.count_nonzero(activations.grad) == 0
    with pytest.raises(ValueError, match="cosine must be one of"):
        cast_grad_cam_loss(activations, scores, masks, valid, cosine='flat')


def test_second_order_path_trains_the_encoder():
    """A few optimizer steps on the CAST loss alone raise the Grad-CAM/mask cosine."""
    torch.manual_seed(0)
    encoder = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.ReLU(),
                                  torch.nn.Conv2d(8, 16, 3, stride=2, padding=1),
                                  torch.nn.ReLU())
    neck = torch.nn.Linear(16, 8)
    images = torch.randn(4, 3, 16, 16)
    keys = F.normalize(torch.randn(4, 8), dim=1)
    masks = torch.zeros(4, 16, 16)
    masks[:, 4:12, 2:9] = 1
    valid = torch.ones(4, dtype=torch.bool)
    params = list(encoder.parameters()) + list(neck.parameters())
    optimizer = torch.optim.Adam(params, lr=1e-2)
    losses = []
    for _ in range(15):
        feats = encoder(images)
        scores = (F.normalize(neck(feats.mean(dim=(2, 3))), dim=1) * keys).sum(dim=1)
        loss = cast_grad_cam_loss(feats, scores, masks, valid)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] - 0.1  # 1 - cosine fell: the cosine rose


def test_mask_background_leaves_the_mean_colour():
    mean = torch.tensor([123.675, 116.28, 103.53]).view(1, 3, 1, 1)
    std = torch.tensor([58.395, 57.12, 57.375]).view(1, 3, 1, 1)
    raw = torch.rand(2, 3, 6, 6) * 255
    masks = torch.zeros(2, 6, 6)
    masks[:, 1:3, 2:5] = 1
    masked = mask_background((raw - mean) / std, masks)
    restored = masked * std + mean
    inside = masks.bool().unsqueeze(1).expand_as(raw)
    torch.testing.assert_close(restored[inside], raw[inside])
    torch.testing.assert_close(restored[~inside], mean.expand_as(raw)[~inside])
    with pytest.raises(ValueError, match='expected \\(B, H, W\\)'):
        mask_background(raw, masks[:, :3])


def hand_area_fraction(mask, h, w):
    """Cell (i, j) covers rows floor(i H / h) .. ceil((i + 1) H / h), likewise columns."""
    H, W = mask.shape
    out = np.zeros((h, w))
    for i in range(h):
        r0, r1 = (i * H) // h, -(-((i + 1) * H) // h)
        for j in range(w):
            c0, c1 = (j * W) // w, -(-((j + 1) * W) // w)
            out[i, j] = mask[r0:r1, c0:c1].mean()
    return out


def test_area_target_is_the_salient_share_of_each_cell():
    rng = np.random.default_rng(0)
    mask = rng.random((10, 13)) > 0.6  # sizes that 7x7 does not divide: cells overlap
    grid = mask_to_grid(torch.from_numpy(mask)[None], (7, 7))[0].numpy()
    np.testing.assert_allclose(grid, hand_area_fraction(mask.astype(float), 7, 7), atol=1e-6)


def test_small_object_vanishes_under_the_release_point_sampling_only():
    masks = torch.zeros(1, 224, 224)
    masks[0, 10:13, 10:13] = 1  # 3x3 object between the 7x7 grid's sample points
    area = mask_to_grid(masks, (7, 7), 'area')[0]
    assert area[0, 0].item() == pytest.approx(9 / 32 ** 2)
    assert area.sum().item() == pytest.approx(9 / 32 ** 2)
    # align_corners=True reads rows and columns 0, 37.17, 74.33, ...: none touches the object
    assert mask_to_grid(masks, (7, 7), 'bilinear').abs().sum().item() == 0
    with pytest.raises(ValueError, match='target resize mode must be one of'):
        mask_to_grid(masks, (7, 7), 'nearest')


def test_a_target_empty_on_the_grid_is_left_out(problem):
    """Empty after resizing: its cosine would add a constant 1 with no gradient."""
    activations, weight, keys, masks = problem
    scores = pooled_linear_scores(activations, weight, keys)
    masks = masks.clone()
    masks[1] = 0
    masks[1, 1, 1] = 1  # one pixel: non-empty, but no grid sample point reads row 1
    valid = torch.ones(3, dtype=torch.bool)
    assert mask_to_grid(masks[1:2], (4, 4), 'bilinear').sum() == 0
    loss = cast_grad_cam_loss(activations, scores, masks, valid, target_resize='bilinear')
    cams = hand_grad_cam(activations.detach(), weight, keys)[[0, 2]]
    targets = mask_to_grid(masks[[0, 2]], (4, 4), 'bilinear')
    expected = 1 - F.cosine_similarity(cams.flatten(1), targets.flatten(1), dim=1).mean()
    assert loss.item() == pytest.approx(expected.item(), rel=1e-9)
    # with the area target the one pixel counts, so sample 1 is in the mean
    area = cast_grad_cam_loss(activations, scores, masks, valid, target_resize='area')
    assert area.item() != pytest.approx(expected.item(), rel=1e-3)
