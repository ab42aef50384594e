"""Pictures of attention: heatmap overlays and image / saliency / attention grids."""
import os
import os.path as osp
from typing import List, Optional, Sequence

import cv2
import numpy as np

from ..saliency import minmax_scale, resize_map


def overlay_heatmap(image: np.ndarray, heatmap: np.ndarray, alpha: float = 0.5) -> np.ndarray:
    """Blend a [0, 1] map, resized to the image and coloured with the jet map, onto it.

    Args:
        image (np.ndarray): (H, W, 3) uint8 BGR image.
        heatmap (np.ndarray): (h, w) map; min-max scaled here.
        alpha (float): Weight of the heatmap.

    Returns:
        np.ndarray: (H, W, 3) uint8 RGB picture.
    """
    heat = resize_map(minmax_scale(np.asarray(heatmap, np.float64)), image.shape[:2])
    coloured = cv2.applyColorMap((heat * 255).astype(np.uint8), cv2.COLORMAP_JET)
    blended = cv2.addWeighted(image, 1 - alpha, coloured, alpha, 0)
    return blended[..., ::-1]


def save_attention_grid(rows: Sequence[dict], path: str,
                        columns: Sequence[str] = ('image', 'saliency', 'attention'),
                        title: Optional[str] = None) -> str:
    """Save a grid of pictures: one row per image, one column per kind of map.

    Args:
        rows (Sequence[dict]): Each with ``image`` ((H, W, 3) uint8 BGR), 2-D maps under
            any other column name (drawn as overlays on the image) and optionally a
            ``caption`` (shown under the ``attention`` column).
        path (str): PNG file to write (folders are created).
        columns (Sequence[str]): Keys to draw, left to right: ``image`` as it is, any
            other as an overlay; a column absent from every row is dropped.
        title (str, optional): Figure title.

    Returns:
        str: ``path``.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    columns: List[str] = [c for c in columns if any(c in row for row in rows)]
    fig, axes = plt.subplots(len(rows), len(columns), squeeze=False,
                             figsize=(2.6 * len(columns), 2.6 * len(rows)))
    for r, row in enumerate(rows):
        for c, column in enumerate(columns):
            ax = axes[r][c]
            ax.axis('off')
            if column not in row:
                continue
            if column == 'image':
                ax.imshow(row['image'][..., ::-1])
            else:
                ax.imshow(overlay_heatmap(row['image'], row[column]))
            if r == 0:
                ax.set_title(column)
            if column == 'attention' and row.get('caption'):
                ax.text(0.5, -0.08, row['caption'], transform=ax.transAxes, ha='center',
                        va='top', fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
