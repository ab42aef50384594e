"""Attention pictures' numbers: the center-bias CC scores the same cropped view as the model."""
import numpy as np
import pytest

from attn_plugins.evaluation import center_bias_cc
from attn_plugins.saliency import center_bias

SIZE = 32


def _sample(saliency, name='photo'):
    height, width = saliency.shape
    img = np.random.default_rng(0).integers(0, 256, (height, width, 3), dtype=np.uint8)
    return dict(img=img, saliency=saliency.astype(np.float32), name=name)


def test_center_bias_cc_is_the_pearson_correlation_on_the_square_view():
    rng = np.random.default_rng(1)
    saliency = rng.random((SIZE, SIZE))
    (score, ) = center_bias_cc([_sample(saliency)], size=SIZE)
    prior = center_bias((SIZE, SIZE))
    assert score == pytest.approx(np.corrcoef(prior.ravel(), saliency.ravel())[0, 1], abs=1e-5)


def test_center_bias_cc_scores_the_centre_crop_a_model_sees():
    # A landscape photo whose short side is already SIZE: the view is its middle square.
    # There the map is the center bias itself (CC 1); its sides are noise the crop drops.
    rng = np.random.default_rng(2)
    prior = center_bias((SIZE, SIZE))
    side = rng.random((SIZE, SIZE // 2)) * prior.max()
    wide = np.concatenate([side, prior, side[:, ::-1]], axis=1)
    inverted = prior.max() - prior
    scores = center_bias_cc([_sample(wide), _sample(inverted),
                             dict(img=_sample(wide)['img'])], size=SIZE)
    assert scores[0] == pytest.approx(1.0, abs=1e-4)
    # scored on the whole map instead, the noise would lower it
    assert np.corrcoef(center_bias(wide.shape).ravel(), wide.ravel())[0, 1] < 0.9
    assert scores[1] == pytest.approx(-1.0, abs=1e-4)
    assert scores[2] is None  # no saliency map, nothing to score
