"""ImageNet-C corruptions (Hendrycks & Dietterich, ICLR 2019) through ``imagecorruptions``.

The 15 benchmark corruptions at severities 1 to 5 come from the maintained
``imagecorruptions`` package (1.1.2). On the pinned stack (numpy 2, scikit-image >= 0.19) two
of its functions no longer run, and one cannot be seeded; this module carries small
adapters that reproduce the package's algorithm line for line with only the API fixed:

- ``glass_blur``: the package calls ``skimage.filters.gaussian(..., multichannel=True)``;
  scikit-image renamed the argument ``channel_axis`` (``multichannel`` is gone in 0.26).
- ``fog``: its ``plasma_fractal`` allocates with ``np.float_``, removed in numpy 2.0
  (``np.float64`` is the same type).
- ``gaussian_blur`` (one of the four extra corruptions): the same ``multichannel`` call.
- ``impulse_noise``: ``skimage.util.random_noise`` draws from a fresh
  ``np.random.default_rng()`` unless given ``rng``, so ``np.random.seed`` does not reach it;
  the adapter passes an ``rng`` drawn from numpy's global generator.

Every other corruption is the package's own function. All of them draw their randomness
from numpy's global generator, which :func:`corrupt` seeds (and restores) when given a seed,
so a seeded corruption is reproducible. No numpy or scikit-image attribute is patched.
"""
import contextlib
import warnings
from typing import Callable, Dict, Iterator, Optional

import numpy as np

#: The 15 ImageNet-C benchmark corruptions, in the benchmark's order (noise, blur, weather,
#: digital), as ``imagecorruptions.get_corruption_names('common')`` lists them.
CORRUPTIONS = ('gaussian_noise', 'shot_noise', 'impulse_noise', 'defocus_blur', 'glass_blur',
               'motion_blur', 'zoom_blur', 'snow', 'frost', 'fog', 'brightness', 'contrast',
               'elastic_transform', 'pixelate', 'jpeg_compression')
#: The four extra ImageNet-C corruptions (``get_corruption_names('validation')``), held out of
#: the benchmark's mean; the teacher-attention paper reports accuracy on them.
EXTRA_CORRUPTIONS = ('speckle_noise', 'gaussian_blur', 'spatter', 'saturate')
SEVERITIES = (1, 2, 3, 4, 5)
#: Smallest height and width ``imagecorruptions`` accepts.
MIN_SIZE = 32


def _package():
    """The ``imagecorruptions.corruptions`` module, imported on first use.

    It imports ``pkg_resources`` (deprecated by setuptools, which warns) and scipy's
    deprecated ``scipy.ndimage.interpolation``; both warnings are expected here.
    """
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DeprecationWarning)
        warnings.simplefilter('ignore', UserWarning)
        from imagecorruptions import corruptions
    return corruptions


def plasma_fractal(mapsize: int = 256, wibbledecay: float = 3) -> np.ndarray:
    """``imagecorruptions.corruptions.plasma_fractal`` with ``np.float64`` for ``np.float_``.

    A diamond-square height map (the fog layer).

    Args:
        mapsize (int): Side of the square map, a power of two.
        wibbledecay (float): How fast the random perturbation shrinks per level.

    Returns:
        np.ndarray: (mapsize, mapsize) float64 map in [0, 1].
    """
    assert (mapsize & (mapsize - 1) == 0)
    maparray = np.empty((mapsize, mapsize), dtype=np.float64)
    maparray[0, 0] = 0
    stepsize = mapsize
    wibble = 100

    def wibbledmean(array):
        return array / 4 + wibble * np.random.uniform(-wibble, wibble, array.shape)

    def fillsquares():
        cornerref = maparray[0:mapsize:stepsize, 0:mapsize:stepsize]
        squareaccum = cornerref + np.roll(cornerref, shift=-1, axis=0)
        squareaccum += np.roll(squareaccum, shift=-1, axis=1)
        maparray[stepsize // 2:mapsize:stepsize,
                 stepsize // 2:mapsize:stepsize] = wibbledmean(squareaccum)

    def filldiamonds():
        size = maparray.shape[0]
        drgrid = maparray[stepsize // 2:size:stepsize, stepsize // 2:size:stepsize]
        ulgrid = maparray[0:size:stepsize, 0:size:stepsize]
        ldrsum = drgrid + np.roll(drgrid, 1, axis=0)
        lulsum = ulgrid + np.roll(ulgrid, -1, axis=1)
        maparray[0:size:stepsize, stepsize // 2:size:stepsize] = wibbledmean(ldrsum + lulsum)
        tdrsum = drgrid + np.roll(drgrid, 1, axis=1)
        tulsum = ulgrid + np.roll(ulgrid, -1, axis=0)
        maparray[stepsize // 2:size:stepsize, 0:size:stepsize] = wibbledmean(tdrsum + tulsum)

    while stepsize >= 2:
        fillsquares()
        filldiamonds()
        stepsize //= 2
        wibble /= wibbledecay

    maparray -= maparray.min()
    return maparray / maparray.max()


def fog(x, severity: int = 1) -> np.ndarray:
    """``imagecorruptions``' fog with the numpy-2 fix in :func:`plasma_fractal`.

    Args:
        x (np.ndarray | PIL.Image.Image): (H, W, 3) uint8 RGB image.
        severity (int): 1 to 5.

    Returns:
        np.ndarray: (H, W, 3) float64 image in [0, 255].
    """
    c = [(1.5, 2), (2., 2), (2.5, 1.7), (2.5, 1.5), (3., 1.4)][severity - 1]
    shape = np.array(x).shape
    map_size = _package().next_power_of_2(int(np.max(shape)))
    x = np.array(x) / 255.
    max_val = x.max()
    x += c[0] * plasma_fractal(mapsize=map_size, wibbledecay=c[1])[:shape[0], :shape[1]][
        ..., np.newaxis]
    return np.clip(x * max_val / (max_val + c[0]), 0, 1) * 255


def gaussian_rgb(image: np.ndarray, sigma: float) -> np.ndarray:
    """scikit-image's Gaussian filter over the two spatial axes of an (H, W, 3) image, as
    ``imagecorruptions`` calls it with ``multichannel=True`` (now ``channel_axis=-1``).

    Args:
        image (np.ndarray): (H, W, 3) float image in [0, 1].
        sigma (float): Standard deviation in pixels.

    Returns:
        np.ndarray: (H, W, 3) float64 blurred image.
    """
    from skimage.filters import gaussian

    return gaussian(image, sigma=sigma, channel_axis=-1)


def glass_blur(x, severity: int = 1) -> np.ndarray:
    """``imagecorruptions``' glass blur with ``channel_axis=-1`` for ``multichannel=True``.

    Blurs, swaps each pixel with a random neighbour (``iterations`` sweeps over the image;
    a Python loop, about 2 x H x W swaps), and blurs again.

    Args:
        x (np.ndarray | PIL.Image.Image): (H, W, 3) uint8 RGB image.
        severity (int): 1 to 5.

    Returns:
        np.ndarray: (H, W, 3) float64 image in [0, 255].
    """
    # sigma, max_delta, iterations
    c = [(0.7, 1, 2), (0.9, 2, 1), (1, 2, 3), (1.1, 3, 2), (1.5, 4, 2)][severity - 1]
    x = np.uint8(gaussian_rgb(np.array(x) / 255., c[0]) * 255)
    x_shape = np.array(x).shape
    # locally shuffle pixels
    for _ in range(c[2]):
        for h in range(x_shape[0] - c[1], c[1], -1):
            for w in range(x_shape[1] - c[1], c[1], -1):
                dx, dy = np.random.randint(-c[1], c[1], size=(2, ))
                h_prime, w_prime = h + dy, w + dx
                # swap
                x[h, w], x[h_prime, w_prime] = x[h_prime, w_prime], x[h, w]
    return np.clip(gaussian_rgb(x / 255., c[0]), 0, 1) * 255


def gaussian_blur(x, severity: int = 1) -> np.ndarray:
    """``imagecorruptions``' Gaussian blur (one of the four extra corruptions) through
    :func:`gaussian_rgb`; arguments and result as :func:`glass_blur`."""
    sigma = [1, 2, 3, 4, 6][severity - 1]
    return np.clip(gaussian_rgb(np.array(x) / 255., sigma), 0, 1) * 255


def impulse_noise(x, severity: int = 1) -> np.ndarray:
    """``imagecorruptions``' salt-and-pepper noise, seeded from numpy's global generator.

    Args:
        x (np.ndarray | PIL.Image.Image): (H, W, 3) uint8 RGB image.
        severity (int): 1 to 5.

    Returns:
        np.ndarray: (H, W, 3) float64 image in [0, 255].
    """
    from skimage.util import random_noise

    c = [.03, .06, .09, 0.17, 0.27][severity - 1]
    x = random_noise(np.array(x) / 255., mode='s&p', amount=c,
                     rng=np.random.randint(2**31))
    return np.clip(x, 0, 1) * 255


#: Corruptions computed here instead of by the package (see the module docstring).
ADAPTERS: Dict[str, Callable] = dict(glass_blur=glass_blur, fog=fog, impulse_noise=impulse_noise,
                                     gaussian_blur=gaussian_blur)


@contextlib.contextmanager
def numpy_seed(seed: Optional[int]) -> Iterator[None]:
    """Seed numpy's global generator inside the block and restore its state afterwards.

    Args:
        seed (int, optional): The seed; ``None`` leaves the generator alone.
    """
    if seed is None:
        yield
        return
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


def corruption_function(name: str) -> Callable:
    """The function computing corruption ``name``: an adapter of this module or the package's.

    Args:
        name (str): One of :data:`CORRUPTIONS` or :data:`EXTRA_CORRUPTIONS`.

    Returns:
        Callable: ``f(image, severity) -> array`` as in ``imagecorruptions``.
    """
    if name not in CORRUPTIONS + EXTRA_CORRUPTIONS:
        raise ValueError(f'unknown corruption {name!r}; choose from '
                         f'{", ".join(CORRUPTIONS + EXTRA_CORRUPTIONS)}')
    return ADAPTERS.get(name) or getattr(_package(), name)


def corrupt(image: np.ndarray, corruption: str, severity: int,
            seed: Optional[int] = None) -> np.ndarray:
    """Apply one ImageNet-C corruption at one severity.

    Args:
        image (np.ndarray): (H, W, 3) uint8 RGB image, H and W at least 32 (the package's
            limit).
        corruption (str): One of :data:`CORRUPTIONS` or :data:`EXTRA_CORRUPTIONS`.
        severity (int): 1 to 5.
        seed (int, optional): Seed of numpy's global generator for this call (its state is
            restored afterwards); ``None`` draws from the current state.

    Returns:
        np.ndarray: (H, W, 3) uint8 RGB corrupted image.
    """
    func = corruption_function(corruption)
    if severity not in SEVERITIES:
        raise ValueError(f'severity must be an integer from 1 to 5, got {severity!r}')
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim != 3 \
            or image.shape[2] != 3:
        shape = getattr(image, 'shape', None)
        raise ValueError(f'corrupt() needs an (H, W, 3) uint8 RGB array, got '
                         f'{type(image).__name__} of shape {shape} and dtype '
                         f'{getattr(image, "dtype", None)}')
    if min(image.shape[:2]) < MIN_SIZE:
        raise ValueError(f'ImageNet-C corruptions need images of at least {MIN_SIZE}x{MIN_SIZE} '
                         f'pixels, got {image.shape[1]}x{image.shape[0]}: corrupt after a '
                         'resize to a larger size')
    from PIL import Image

    with numpy_seed(seed):
        out = func(Image.fromarray(image), severity)
    # As imagecorruptions.corrupt: values in [0, 255], truncated to uint8.
    return np.uint8(out)
