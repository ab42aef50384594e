"""OpenMMLab engine pieces: checkpoint loading, registration helpers, hooks."""
from .checkpoint import allow_mmengine_checkpoints, checkpoint_state_dict, load_weights
from .registry import register_model_everywhere

allow_mmengine_checkpoints()

__all__ = ['allow_mmengine_checkpoints', 'checkpoint_state_dict', 'load_weights',
           'register_model_everywhere']
