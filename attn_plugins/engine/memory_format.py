"""Training in the channels-last memory layout: the same float32 maths in another layout.

oneDNN (CPU) and cuDNN run convolutions on NHWC tensors without the layout conversions an NCHW
model pays at every layer, so a ResNet step is faster (``tools/benchmarks/
bench_channels_last.py`` measures by how much; docs/stack_notes.md has the numbers). Only the
summation order of the convolutions changes, so results agree to float32 rounding.
"""
from typing import Any

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS


def to_channels_last(value: Any) -> Any:
    """``value`` with every 4-d tensor in it (alone, or in a list, tuple or dict) in the
    channels-last layout; other values unchanged.

    Args:
        value: A tensor (B, C, H, W), or a list / tuple / dict holding such tensors.

    Returns:
        The same structure, its 4-d tensors ``contiguous(memory_format=torch.channels_last)``.
    """
    if isinstance(value, torch.Tensor):
        return value.contiguous(memory_format=torch.channels_last) if value.dim() == 4 else value
    if isinstance(value, (list, tuple)):
        return type(value)(to_channels_last(v) for v in value)
    if isinstance(value, dict):
        return {k: to_channels_last(v) for k, v in value.items()}
    return value


def _inputs_to_channels_last(module, args, output):
    """Forward hook of a data preprocessor: its images (``output['inputs']``) channels-last."""
    if isinstance(output, dict) and 'inputs' in output:
        return dict(output, inputs=to_channels_last(output['inputs']))
    return output


@HOOKS.register_module()
class ChannelsLastHook(Hook):
    """Convert the model's 4-d weights and every batch of images it is fed to channels-last
    before training starts (before weights are initialised or a checkpoint is loaded, which
    fill the converted tensors in place).

    Registered in mmengine's root registry, so a config of any scope can add it:
    ``custom_hooks = [dict(type='ChannelsLastHook')]`` (``tools/train.py --channels-last``
    adds it). Single-process training only: distributed wrappers bucket gradients by the
    layout the parameters had when they were wrapped.
    """

    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        if is_model_wrapper(runner.model):
            raise RuntimeError(
                f'ChannelsLastHook: the model is already wrapped in '
                f'{type(runner.model).__name__} for distributed training, which keeps the '
                'layout its parameters had; drop the hook (or --channels-last) there')
        runner.model.to(memory_format=torch.channels_last)
        runner.model.data_preprocessor.register_forward_hook(_inputs_to_channels_last)
