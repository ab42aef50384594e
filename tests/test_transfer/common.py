"""Helpers shared by the transfer tests."""
from typing import Dict

import torch
from mmengine.registry import DefaultScope

DET_CONFIGS = 'configs/benchmarks/mmdetection'
SEG_CONFIGS = 'configs/benchmarks/mmsegmentation'


def build_model(cfg) -> torch.nn.Module:
    """Build ``cfg.model`` in the config's own scope (mmdet, mmseg or mmpretrain)."""
    import attn_plugins  # noqa: F401  (registers the plugin's components)
    from mmengine.registry import MODELS
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        return MODELS.build(cfg.model)


def pretrained_view(model_state: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    """The tensors of a detector / segmentor that come from a checkpoint's ``backbone.*``.

    The backbone keeps its keys; the shared res5 head of a C4 detector
    (``roi_head.shared_head.layer4.*``) holds the checkpoint's ``backbone.layer4.*``. The
    extra norm after that head and every other module start fresh.

    Args:
        model_state (dict): State dict of the downstream model.

    Returns:
        dict: Pretraining-checkpoint key to the downstream model's tensor.
    """
    view = {}
    for key, value in model_state.items():
        if key.startswith('backbone.'):
            view[key] = value
        elif key.startswith('roi_head.shared_head.layer4.'):
            view['backbone.' + key[len('roi_head.shared_head.'):]] = value
    return view


def assert_loaded(model_state: Dict[str, torch.Tensor],
                  pretrained: Dict[str, torch.Tensor]) -> int:
    """Every ``backbone.*`` tensor of ``pretrained`` is in the model, equal, and nothing else.

    Args:
        model_state (dict): State dict of the downstream model right after initialisation.
        pretrained (dict): State dict of the pretraining checkpoint.

    Returns:
        int: The number of tensors compared.
    """
    expected = {k: v for k, v in pretrained.items() if k.startswith('backbone.')}
    view = pretrained_view(model_state)
    assert sorted(view) == sorted(expected), (
        f'missing in the model: {sorted(set(expected) - set(view))[:5]}, '
        f'not in the checkpoint: {sorted(set(view) - set(expected))[:5]}')
    for key, value in expected.items():
        assert view[key].shape == value.shape, key
        assert torch.equal(view[key], value), f'{key} differs from the pretrained tensor'
    return len(expected)
