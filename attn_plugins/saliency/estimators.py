"""Unsupervised saliency estimates: saliency with no teacher, no labels and no training.

:func:`estimate_saliency` is the entry point; its default, ``'signature_center'`` (the image
signature weighted by a centre prior), is the one estimate here that beats the centre-bias
baseline on held-out human fixations of both OSIE and the Scene saliency set
(``tools/analysis/saliency_baselines.py`` measures every method).
"""
from typing import Tuple

import numpy as np
from scipy.fft import dctn, idctn
from scipy.ndimage import gaussian_filter, uniform_filter

from ..defaults import SALIENCY_ESTIMATORS as ESTIMATORS  # the methods, pure Python
from ._utils import as_numpy
from .maps import center_bias, resize_map

# ITU-R BT.601 luma weights, as MATLAB's rgb2gray in the authors' reference code.
_LUMA = np.array([0.299, 0.587, 0.114])


def spectral_residual_saliency(image, working_width: int = 64,
                               blur_sigma: float = 2.5) -> np.ndarray:
    """Spectral-residual saliency (Hou & Zhang, CVPR 2007).

    Follows the authors' reference code: the grey image is resized to ``working_width``
    columns; the spectral residual is the log amplitude spectrum minus its 3x3 local mean;
    the saliency is the squared magnitude of the inverse transform of the residual with the
    original phase, blurred by a Gaussian of ``blur_sigma`` working pixels, resized back to
    the input size and min-max scaled to [0, 1]. Statistically unusual regions (an odd patch
    in a regular texture) come out bright.

    Args:
        image (np.ndarray | PIL.Image.Image | torch.Tensor): (H, W, 3) or (H, W, 4) RGB(A),
            (H, W, 1) or (H, W) grey; uint8 or float.
        working_width (int): width of the map the spectrum is analysed at.
        blur_sigma (float): Gaussian blur of the result, in working-resolution pixels.

    Returns:
        np.ndarray: float32 saliency map of shape (H, W) in [0, 1] (all zero for a flat
        image, which has nothing salient).
    """
    channels = _channels(image, working_width)
    grey = channels @ _LUMA if channels.shape[2] == 3 else channels[..., 0]
    small = _working_copy(grey[..., None], working_width)[..., 0]
    height, width = grey.shape

    spectrum = np.fft.fft2(small)
    # The small offset keeps log() finite where the amplitude is exactly 0 (a flat image).
    log_amplitude = np.log(np.abs(spectrum) + 1e-12)
    residual = log_amplitude - uniform_filter(log_amplitude, size=3, mode='nearest')
    saliency = np.abs(np.fft.ifft2(np.exp(residual + 1j * np.angle(spectrum)))) ** 2
    return _finish(saliency, blur_sigma, (height, width), flat=np.ptp(grey) == 0)


def image_signature_saliency(image, working_width: int = 64,
                             blur_sigma: float = 2.5) -> np.ndarray:
    """Image-signature saliency (Hou, Harel & Koch, TPAMI 2012).

    The sign of an image's discrete cosine transform keeps where the sparse foreground is and
    drops the smooth background: per colour channel, the image is resized to
    ``working_width`` columns, ``x_hat = IDCT(sign(DCT(x)))`` is squared, the channels are
    summed, blurred by a Gaussian of ``blur_sigma`` working pixels, resized back and min-max
    scaled. The paper works in CIELAB; here the channels are RGB, which keeps the function
    free of colour-space conversions (measured on held-out OSIE and Scene fixations by
    ``tools/analysis/saliency_baselines.py``).

    Args:
        image (np.ndarray | PIL.Image.Image | torch.Tensor): (H, W, 3) or (H, W, 4) RGB(A),
            (H, W, 1) or (H, W) grey; uint8 or float.
        working_width (int): width of the map the transform is taken at.
        blur_sigma (float): Gaussian blur of the result, in working-resolution pixels.

    Returns:
        np.ndarray: float32 saliency map of shape (H, W) in [0, 1] (all zero for a flat
        image).

    Example:
        >>> image = np.zeros((40, 60, 3), np.uint8)
        >>> image[15:25, 40:50] = 255                     # one bright square
        >>> saliency = image_signature_saliency(image, working_width=60)
        >>> bool(saliency[20, 45] > saliency[20, 10])
        True
    """
    channels = _channels(image, working_width)
    small = _working_copy(channels, working_width)
    saliency = sum(idctn(np.sign(dctn(small[..., c], norm='ortho')), norm='ortho') ** 2
                   for c in range(small.shape[2]))
    return _finish(saliency, blur_sigma, channels.shape[:2], flat=np.ptp(channels) == 0)


def estimate_saliency(image, method: str = 'signature_center',
                      center_sigma: float = 0.25, **kwargs) -> np.ndarray:
    """Saliency of one image with no teacher and no training.

    Args:
        image (np.ndarray | PIL.Image.Image | torch.Tensor): RGB(A) or grey image, as for
            :func:`spectral_residual_saliency`.
        method (str): one of :data:`ESTIMATORS`:

            - ``'signature_center'`` (default): :func:`image_signature_saliency` multiplied
              by a centre prior (a Gaussian of ``center_sigma`` times each side), then
              min-max scaled: people look at the middle of photos, and at the sparse
              foreground the signature finds.
            - ``'image_signature'``, ``'spectral_residual'``: the bare estimators.
            - ``'spectral_residual_center'``: the spectral residual times the centre prior.
            - ``'center_bias'``: the centre prior alone, the baseline every method must beat.
        center_sigma (float): the centre prior's standard deviation as a fraction of each
            side (Judd et al.'s baseline: 0.25).
        **kwargs: ``working_width`` and ``blur_sigma`` of the image estimator.

    Returns:
        np.ndarray: float32 saliency map of shape (H, W) in [0, 1].

    Example:
        >>> image = np.random.default_rng(0).integers(0, 255, (30, 40, 3), np.uint8)
        >>> estimate_saliency(image).shape, float(estimate_saliency(image, 'center_bias').max())
        ((30, 40), 1.0)
    """
    if method not in ESTIMATORS:
        raise ValueError(f'unknown saliency estimator {method!r}; choose one of {ESTIMATORS}')
    hw = as_numpy(image, 'image').shape[:2]
    prior = center_bias(hw, sigma=center_sigma)
    if method == 'center_bias':
        return (prior / prior.max()).astype(np.float32)
    estimator = (spectral_residual_saliency if method.startswith('spectral')
                 else image_signature_saliency)
    saliency = estimator(image, **kwargs)
    if not method.endswith('_center'):
        return saliency
    weighted = saliency * prior
    peak = weighted.max()
    return (weighted / peak).astype(np.float32) if peak > 0 else weighted.astype(np.float32)


def _channels(image, working_width: int) -> np.ndarray:
    """The image as float64 (H, W, C), C = 3 (RGB) or 1 (grey); alpha dropped."""
    arr = as_numpy(image, 'image')
    if arr.ndim == 3 and arr.shape[2] in (3, 4):
        arr = arr[..., :3]
    elif arr.ndim == 2:
        arr = arr[..., None]
    elif not (arr.ndim == 3 and arr.shape[2] == 1):
        raise ValueError(f'image must be (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), got shape '
                         f'{tuple(arr.shape)}')
    if working_width < 4:
        raise ValueError(f'working_width must be at least 4 pixels, got {working_width}')
    return arr.astype(np.float64)


def _working_copy(channels: np.ndarray, working_width: int) -> np.ndarray:
    """Each channel resized to ``working_width`` columns, aspect ratio kept."""
    height, width = channels.shape[:2]
    size = (max(1, round(height * working_width / width)), working_width)
    return np.stack([resize_map(channels[..., c], size) for c in range(channels.shape[2])], -1)


def _finish(saliency: np.ndarray, blur_sigma: float, hw: Tuple[int, int],
            flat: bool) -> np.ndarray:
    """Blur at working resolution, resize to ``hw``, min-max scale; zeros for a flat image."""
    saliency = gaussian_filter(saliency, sigma=blur_sigma)
    saliency = resize_map(saliency, hw).astype(np.float32)
    low, high = saliency.min(), saliency.max()
    if not high > low or flat:
        return np.zeros(hw, dtype=np.float32)
    return (saliency - low) / (high - low)
