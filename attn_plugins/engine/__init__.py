"""OpenMMLab engine pieces: checkpoint loading, registration helpers, hooks."""
from .checkpoint import allow_mmengine_checkpoints
from .registry import register_model_everywhere

allow_mmengine_checkpoints()

__all__ = ['allow_mmengine_checkpoints', 'register_model_everywhere']
