"""Registration helpers for components that more than one OpenMMLab codebase looks up."""
from importlib.util import find_spec

from mmpretrain.registry import MODELS


def register_model_everywhere(cls: type) -> type:
    """Register ``cls`` in the ``MODELS`` registry of mmpretrain, mmdet and mmseg.

    Transfer configs run in the ``mmdet`` or ``mmseg`` scope and look backbones up in their
    own registry; a backbone they should be able to name is registered there too (where that
    codebase is installed). Use as a class decorator.

    Args:
        cls (type): The module class.

    Returns:
        type: ``cls`` itself.
    """
    MODELS.register_module(module=cls)
    if find_spec('mmdet') is not None:
        from mmdet.registry import MODELS as MMDET_MODELS
        MMDET_MODELS.register_module(module=cls)
    if find_spec('mmseg') is not None:
        from mmseg.registry import MODELS as MMSEG_MODELS
        MMSEG_MODELS.register_module(module=cls)
    return cls
