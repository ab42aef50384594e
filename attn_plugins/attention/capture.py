"""Record what named submodules of a model receive and return during forward passes.

Attention losses read a layer's activations from the forward pass an algorithm already runs
for its own loss, instead of running the network a second time: the recorded tensors stay
in the autograd graph, so Grad-CAM of a score computed from them can be differentiated again
(second order), and BatchNorm sees each batch once.
"""
from typing import Dict, List, Sequence

import torch
from torch import nn

from .gradcam import resolve_layer


class LayerCapture:
    """A context manager recording, for every call of each named submodule, its first
    positional input and its output.

    Args:
        model (nn.Module): The network.
        layers (Sequence[str]): Submodule names as in ``model.named_modules()`` (e.g.
            ``'backbone'``, ``'backbone.layer3'``, ``'backbone.layers.11'``).

    Example:
        >>> import torch
        >>> from torch import nn
        >>> net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU())
        >>> with LayerCapture(net, ['0']) as capture:
        ...     _ = net(torch.randn(2, 3, 8, 8))
        ...     _ = net(torch.randn(5, 3, 8, 8))
        >>> [out.shape[0] for out in capture.outputs['0']]
        [2, 5]
    """

    def __init__(self, model: nn.Module, layers: Sequence[str]) -> None:
        self.modules = {name: resolve_layer(model, name) for name in dict.fromkeys(layers)}
        self.inputs: Dict[str, List[object]] = {name: [] for name in self.modules}
        self.outputs: Dict[str, List[object]] = {name: [] for name in self.modules}
        self._handles = []

    def __enter__(self) -> 'LayerCapture':
        for name, module in self.modules.items():
            self._handles.append(module.register_forward_hook(self._recorder(name)))
        return self

    def __exit__(self, *exc_info) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles.clear()

    def _recorder(self, name: str):
        def record(_module, args, output):
            self.inputs[name].append(args[0] if args else None)
            self.outputs[name].append(output)
        return record

    def calls(self, name: str) -> int:
        """How many times ``name`` ran while recording."""
        return len(self.outputs[name])


def last_tensor(output: object) -> torch.Tensor:
    """A module's output as one tensor: itself, or the last item of a tuple or list (the
    last stage of an OpenMMLab backbone).

    Args:
        output: A tensor, or a tuple / list whose last item is one.

    Returns:
        torch.Tensor: The tensor.
    """
    if isinstance(output, (tuple, list)) and output:
        output = output[-1]
    if not isinstance(output, torch.Tensor):
        raise ValueError(f'expected a tensor or a tuple ending with one, got '
                         f'{type(output).__name__}')
    return output
