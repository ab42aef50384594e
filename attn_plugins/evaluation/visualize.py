"""Pictures of attention: heatmap overlays and image / saliency / attention grids."""
from typing import List, Optional, Sequence

import cv2
import numpy as np

from ..data.fields import SALIENCY
from ..saliency import minmax_scale, resize_map
from .plots import save_image_grid


def overlay_heatmap(image: np.ndarray, heatmap: np.ndarray, alpha: float = 0.5) -> np.ndarray:
    """Blend a [0, 1] map, resized to the image and coloured with the jet map, onto it.

    Args:
        image (np.ndarray): (H, W, 3) uint8 BGR image.
        heatmap (np.ndarray): (h, w) map; min-max scaled here.
        alpha (float): Weight of the heatmap.

    Returns:
        np.ndarray: (H, W, 3) uint8 BGR picture, like the image.
    """
    heat = resize_map(minmax_scale(np.asarray(heatmap, np.float64)), image.shape[:2])
    coloured = cv2.applyColorMap((heat * 255).astype(np.uint8), cv2.COLORMAP_JET)
    return cv2.addWeighted(image, 1 - alpha, coloured, alpha, 0)


def save_attention_grid(rows: Sequence[dict], path: str,
                        columns: Sequence[str] = ('image', 'saliency', 'attention'),
                        title: Optional[str] = None, per_line: int = 1) -> str:
    """Save a grid of pictures: per image, one panel per kind of map.

    Args:
        rows (Sequence[dict]): Each with ``image`` ((H, W, 3) uint8 BGR), 2-D maps under
            any other column name (drawn as overlays on the image) and optionally a
            ``caption`` (shown under the last panel).
        path (str): PNG file to write (folders are created).
        columns (Sequence[str]): Keys to draw, left to right: ``image`` as it is, any
            other as an overlay; a column absent from every row is dropped.
        title (str, optional): Figure title.
        per_line (int): Images drawn side by side on one line of the figure.

    Returns:
        str: ``path``.
    """
    columns: List[str] = [c for c in columns if any(c in row for row in rows)]
    panels = [{column: row['image'] if column == 'image' else
               overlay_heatmap(row['image'], row[column])
               for column in columns if column in row} for row in rows]
    return save_image_grid(panels, columns, path, captions=[row.get('caption', '')
                                                            for row in rows],
                           title=title, per_line=per_line, panel_size=2.2)


def draw_model_attention(model, samples: Sequence[dict], path: str, size: int = 96,
                         title: Optional[str] = None,
                         per_line: int = 1) -> List[Optional[float]]:
    """Draw a model's attention for a few images into a PNG grid.

    Each image (with its saliency map, if it has one) is resized so its short side is
    ``size`` and centre-cropped, together, as the model sees it; the attention comes from
    :func:`attn_plugins.evaluation.model_attention`. Rows show the image, its saliency and the
    attention overlay, captioned with the CC between attention and saliency.

    Args:
        model (nn.Module): The model.
        samples (Sequence[dict]): Each with ``img`` ((H, W, 3) uint8 BGR), optionally
            ``saliency`` ((H, W) map) and ``name`` (caption).
        path (str): PNG to write.
        size (int): Side of the model's square input.
        title (str, optional): Figure title.
        per_line (int): Images drawn side by side on one line of the figure.

    Returns:
        list[float | None]: Per image, the CC of attention and saliency (None without one).
    """
    from ..saliency import cc
    from .model_attention import model_attention, preprocess_images

    views = model_views(samples, size)
    maps = model_attention(model, preprocess_images(model, [v['img'] for v in views]))
    rows, scores = [], []
    for view, attention in zip(views, maps.numpy()):
        row = dict(image=view['img'], attention=attention, caption=view.get('name', ''))
        score = None
        if SALIENCY in view:
            row['saliency'] = view[SALIENCY]
            score = cc(resize_map(attention, view[SALIENCY].shape), view[SALIENCY])
            row['caption'] = f'{row["caption"]}  CC {score:.2f}'.strip()
        rows.append(row)
        scores.append(score)
    save_attention_grid(rows, path, title=title, per_line=per_line)
    return scores


def model_views(samples: Sequence[dict], size: int) -> List[dict]:
    """The images as the model sees them: each resized so its short side is ``size`` and
    centre-cropped to a square, together with its saliency map (if it has one).

    Args:
        samples (Sequence[dict]): Each with ``img`` ((H, W, 3) uint8 BGR) and optionally
            ``saliency`` ((H, W) map).
        size (int): Side of the model's square input.

    Returns:
        list[dict]: Copies of the samples with ``img`` (size, size, 3) and ``saliency``
        (size, size).
    """
    from mmcv.transforms import Compose

    from ..data import SaliencyCenterCrop, SaliencyResize

    crop = Compose([SaliencyResize(size, edge='short'), SaliencyCenterCrop(size)])
    return [crop(dict(sample)) for sample in samples]


def center_bias_cc(samples: Sequence[dict], size: int = 96) -> List[Optional[float]]:
    """Per image, the CC between the center-bias map and its saliency in the view that
    :func:`draw_model_attention` scores: the trivial answer an attention CC must beat.

    Args:
        samples (Sequence[dict]): As for :func:`draw_model_attention`.
        size (int): Side of the model's square input.

    Returns:
        list[float | None]: Per image, the CC (None without a saliency map).
    """
    from ..saliency import cc, center_bias

    return [cc(center_bias(view[SALIENCY].shape), view[SALIENCY]) if SALIENCY in view else None
            for view in model_views(samples, size)]
