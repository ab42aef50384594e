"""Input handling shared by the saliency modules (numpy, torch and PIL inputs)."""
import numpy as np
import torch


def as_numpy(x, name: str) -> np.ndarray:
    """View ``x`` as a numpy array: tensors are detached and moved to the CPU.

    Args:
        x (np.ndarray | torch.Tensor | PIL.Image.Image | array-like): the input.
        name (str): what ``x`` is, for error messages.

    Returns:
        np.ndarray: ``x`` as an array (no copy when it already is one).
    """
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    try:
        return np.asarray(x)
    except (TypeError, ValueError) as err:
        raise ValueError(f'{name} must be a numpy array, a torch tensor or a PIL image, '
                         f'got {type(x).__name__}') from err


def as_float_map(x, name: str) -> np.ndarray:
    """A 2-D, finite, float64 copy of ``x`` for the metrics.

    Args:
        x (np.ndarray | torch.Tensor): a map of shape (H, W).
        name (str): what ``x`` is, for error messages.

    Returns:
        np.ndarray: float64 array of shape (H, W).
    """
    arr = as_numpy(x, name)
    if arr.ndim != 2:
        raise ValueError(f'{name} must be a 2-D (H, W) map, got shape {tuple(arr.shape)}; '
                         'squeeze batch and channel dimensions first')
    arr = arr.astype(np.float64)
    if not np.isfinite(arr).all():
        raise ValueError(f'{name} contains NaN or inf values')
    return arr
