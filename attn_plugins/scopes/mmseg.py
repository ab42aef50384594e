"""Registers the plugin's components in mmseg's registries: the VARS backbones, for
segmentation transfer configs. Imported by :mod:`attn_plugins.scopes` when mmseg is first
imported."""
from mmseg.registry import MODELS

from ..engine import loops, memory_format  # noqa: F401  (root LOOPS / HOOKS)
from ..vars.backbones import VARS_BACKBONES

for _backbone in VARS_BACKBONES:
    MODELS.register_module(module=_backbone)
del _backbone
