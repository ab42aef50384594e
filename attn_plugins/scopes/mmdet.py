"""Registers the plugin's components in mmdet's registries: ``VOCFormatDataset`` (Pascal-VOC
format detection sets) and the VARS backbones, for detection transfer configs. Imported by
:mod:`attn_plugins.scopes` when mmdet is first imported."""
from mmdet.registry import MODELS

from ..data.detection import VOCFormatDataset  # noqa: F401  (registers itself)
from ..engine import loops, memory_format  # noqa: F401  (root LOOPS / HOOKS)
from ..vars.backbones import VARS_BACKBONES

for _backbone in VARS_BACKBONES:
    MODELS.register_module(module=_backbone)
del _backbone
