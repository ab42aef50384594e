"""The lean saliency teacher that ships inside the package.

``attn_plugins/teacher/weights/`` holds its mmengine config (``default_teacher.py``, the
model and its input size) and its weights (``default_teacher.pth``: a plain state dict of
fp16 tensors, loaded weights-only). Both are written by ``tools/export_teacher.py`` from a
training run of
``configs/saliency_teacher/saliency-teacher_resnet18-w16_1xb16-adam-15e_osie-scene-128x96_cpu.py``.
"""
import os.path as osp
from typing import Tuple

WEIGHTS_DIR = osp.join(osp.dirname(osp.abspath(__file__)), 'weights')
DEFAULT_TEACHER_CONFIG = osp.join(WEIGHTS_DIR, 'default_teacher.py')
DEFAULT_TEACHER_WEIGHTS = osp.join(WEIGHTS_DIR, 'default_teacher.pth')


def default_teacher_files() -> Tuple[str, str]:
    """Paths of the shipped teacher's config and weights.

    Returns:
        tuple[str, str]: ``(config, weights)``.

    Raises:
        FileNotFoundError: If the package was installed without them.

    Example:
        >>> config, weights = default_teacher_files()
        >>> osp.basename(config), osp.basename(weights)
        ('default_teacher.py', 'default_teacher.pth')
    """
    for path in (DEFAULT_TEACHER_CONFIG, DEFAULT_TEACHER_WEIGHTS):
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'the default saliency teacher is missing from this installation ({path}); '
                'reinstall attn_plugins, or give a teacher config and checkpoint of your own')
    return DEFAULT_TEACHER_CONFIG, DEFAULT_TEACHER_WEIGHTS
