"""Unsupervised saliency estimates: saliency with no teacher, no labels and no training."""
import numpy as np
from scipy.ndimage import gaussian_filter, uniform_filter

from ._utils import as_numpy
from .maps import resize_map

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
    arr = as_numpy(image, 'image')
    if arr.ndim == 3 and arr.shape[2] in (3, 4):
        grey = arr[..., :3].astype(np.float64) @ _LUMA
    elif arr.ndim == 3 and arr.shape[2] == 1:
        grey = arr[..., 0].astype(np.float64)
    elif arr.ndim == 2:
        grey = arr.astype(np.float64)
    else:
        raise ValueError(f'image must be (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), got shape '
                         f'{tuple(arr.shape)}')
    if working_width < 4:
        raise ValueError(f'working_width must be at least 4 pixels, got {working_width}')
    height, width = grey.shape
    small_height = max(1, round(height * working_width / width))
    small = resize_map(grey, (small_height, working_width))

    spectrum = np.fft.fft2(small)
    # The small offset keeps log() finite where the amplitude is exactly 0 (a flat image).
    log_amplitude = np.log(np.abs(spectrum) + 1e-12)
    residual = log_amplitude - uniform_filter(log_amplitude, size=3, mode='nearest')
    saliency = np.abs(np.fft.ifft2(np.exp(residual + 1j * np.angle(spectrum)))) ** 2
    saliency = gaussian_filter(saliency, sigma=blur_sigma)
    saliency = resize_map(saliency, (height, width)).astype(np.float32)

    low, high = saliency.min(), saliency.max()
    if not high > low or np.ptp(grey) == 0:
        return np.zeros((height, width), dtype=np.float32)
    return (saliency - low) / (high - low)
