"""Photometric transforms. They change only ``img``; saliency maps are left as they are."""
import cv2
import mmcv
import numpy as np
from mmpretrain.datasets.transforms import ColorJitter
from mmpretrain.registry import TRANSFORMS


def shift_hue(img: np.ndarray, hue_factor: float) -> np.ndarray:
    """Rotate the hue of a BGR uint8 image by ``hue_factor`` of a full turn.

    Same result as ``mmcv.adjust_hue(img, hue_factor, backend='cv2')``, which under numpy 2
    raises ``OverflowError`` for every negative factor (``np.uint8(-x)`` no longer wraps).

    Args:
        img (np.ndarray): (H, W, 3) BGR image, uint8.
        hue_factor (float): In [-0.5, 0.5].

    Returns:
        np.ndarray: (H, W, 3) uint8 image.
    """
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f'hue_factor must be in [-0.5, 0.5], got {hue_factor}')
    hsv = cv2.cvtColor(img.astype(np.uint8), cv2.COLOR_BGR2HSV_FULL)
    # Hue lives on a circle of 256 steps: add modulo 256, as uint8 overflow used to.
    shift = int(hue_factor * 255) % 256
    hsv[..., 0] = ((hsv[..., 0].astype(np.int16) + shift) % 256).astype(np.uint8)
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR_FULL)


@TRANSFORMS.register_module()
class ColorJitterNumpy2(ColorJitter):
    """mmpretrain's ``ColorJitter`` with a hue shift that works under numpy 2.

    Arguments and behaviour are those of ``mmpretrain.datasets.transforms.ColorJitter``;
    only the hue step uses :func:`shift_hue` instead of ``mmcv.adjust_hue`` (mmcv 2.1.0
    fails on negative hue factors with numpy 2, i.e. on half of all draws).
    """

    def transform(self, results: dict) -> dict:
        img = results['img']
        order, brightness, contrast, saturation, hue = self._rand_params()
        for index in order:
            if index == 0 and brightness is not None:
                img = mmcv.adjust_brightness(img, brightness, backend=self.backend)
            elif index == 1 and contrast is not None:
                img = mmcv.adjust_contrast(img, contrast, backend=self.backend)
            elif index == 2 and saturation is not None:
                img = mmcv.adjust_color(img, alpha=saturation, backend=self.backend)
            elif index == 3 and hue is not None:
                img = shift_hue(img, hue)
        results['img'] = img
        return results
