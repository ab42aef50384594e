"""OpenMMLab engine pieces: checkpoint loading, loops, launch and transfer helpers."""
from .checkpoint import allow_mmengine_checkpoints, checkpoint_state_dict, load_weights

allow_mmengine_checkpoints()

__all__ = ['allow_mmengine_checkpoints', 'checkpoint_state_dict', 'load_weights']
