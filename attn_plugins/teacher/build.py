"""Build a trained saliency teacher for inference (OpenMMLab adapter).

One place for every caller that labels images with a teacher: ``tools/gen_saliency.py``,
``tools/export_teacher.py``, ``tools/analysis/saliency_baselines.py --teacher`` and the
``EstimateSaliency(method='teacher')`` transform.
"""
import os.path as osp
from typing import Optional, Tuple

import mmcv
import numpy as np
import torch
from mmengine.config import Config

from .default import default_teacher_files


def teacher_input_size(cfg: Config) -> Optional[Tuple[int, int]]:
    """The teacher's input size, ``(width, height)``.

    The ``SaliencyResize`` scale of the config's test pipeline, else its top-level
    ``input_size`` (what an exported teacher config holds); None when neither is there.
    """
    pipeline = cfg.get('test_dataloader', {}).get('dataset', {}).get('pipeline', [])
    for step in pipeline:
        if step.get('type') == 'SaliencyResize':
            scale = step['scale']
            return (scale, scale) if isinstance(scale, int) else tuple(scale)
    size = cfg.get('input_size')
    return tuple(size) if size is not None else None


def build_teacher(config: str = 'default', checkpoint: Optional[str] = None,
                  device: str = 'cpu') -> Tuple[torch.nn.Module, Config]:
    """A saliency teacher with its trained weights, in eval mode, channels-last.

    The checkpoint is loaded strictly (:func:`attn_plugins.engine.load_weights`): one of
    another model (a classifier, a VARS checkpoint, ...) is an error naming its missing and
    unexpected keys, never a teacher with random weights.

    Args:
        config (str): The teacher's config file, or ``'default'`` for the teacher shipped
            with the package (then ``checkpoint`` must be None).
        checkpoint (str, optional): Its checkpoint.
        device (str): Where it runs.

    Returns:
        tuple[nn.Module, Config]: the teacher (``SaliencyTeacher``) and its config.

    Raises:
        FileNotFoundError: If a file is missing.
        ValueError: If the config builds no saliency teacher or the weights do not fit it.
    """
    from ..engine.launch import load_model

    if config == 'default':
        if checkpoint is not None:
            raise ValueError("the default teacher brings its own weights: give no checkpoint "
                             "with config='default'")
        config, checkpoint = default_teacher_files()
    for path, what in ((config, 'config'), (checkpoint, 'checkpoint')):
        if path is None or not osp.isfile(path):
            raise FileNotFoundError(f'teacher {what} not found: {path}')
    cfg = Config.fromfile(config)
    teacher = load_model(cfg, checkpoint, device=device)
    if not hasattr(teacher, 'saliency_maps'):
        raise ValueError(f'{config} builds a {type(teacher).__name__}, not a saliency teacher '
                         '(SaliencyTeacher)')
    # channels-last: the faster memory layout for convolutions, on CPU and GPU
    return teacher.to(memory_format=torch.channels_last), cfg


def teacher_saliency(teacher: torch.nn.Module, image: np.ndarray,
                     size: Tuple[int, int]) -> np.ndarray:
    """One image's saliency from a teacher, at the image's own size.

    Args:
        teacher (nn.Module): a ``SaliencyTeacher`` (see :func:`build_teacher`).
        image (np.ndarray): (H, W, 3) uint8 image as ``LoadImageFromFile`` reads it (BGR).
        size (tuple[int, int]): the teacher's input ``(width, height)``.

    Returns:
        np.ndarray: float32 (H, W) map in [0, 1], 1 at the most salient pixel.
    """
    from ..saliency import resize_map

    resized = mmcv.imresize(image, tuple(size), interpolation='bilinear')
    inputs = torch.from_numpy(resized).permute(2, 0, 1)[None]
    device = next(teacher.parameters()).device
    with torch.inference_mode():
        small = teacher.saliency_maps(inputs.to(device))[0].float().cpu()
    return resize_map(small, image.shape[:2]).numpy().astype(np.float32)
