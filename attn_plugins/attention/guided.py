"""Guided Backpropagation (Springenberg et al., ICLR 2015 workshop).

Every ReLU passes gradient backwards only where its input and the incoming gradient are both
positive. The ReLUs are intercepted where they are *called*, by a
:class:`torch.overrides.TorchFunctionMode` active during the forward pass, so ``nn.ReLU``
(in-place or not) and the functional forms (``F.relu``, ``F.relu_``, ``torch.relu``,
``torch.relu_``, ``Tensor.relu``, ``Tensor.relu_``) are all covered, and the model object
itself is never modified: no module is swapped and no hook is registered.

Not covered: ReLUs written as something else (``clamp(min=0)``, ``x * (x > 0)``,
``F.threshold``, ``ReLU6``/``Hardtanh``), and ReLUs inside TorchScript or compiled code.
"""
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn
from torch.overrides import TorchFunctionMode

from .targets import Targets, target_scores

_REDUCTIONS = ('abs_sum', None)
_UNUSED_INPUTS = 'the target scores do not depend on the inputs; check the targets callable.'


class _GuidedReLUFunction(torch.autograd.Function):
    """ReLU forward; backward passes ``grad`` where the input and ``grad`` are both > 0.

    The backward is written with differentiable ops, so ``create_graph=True`` gives the
    gradient of the guided gradient (the masks are piecewise constant and contribute zero).
    """

    @staticmethod
    def forward(ctx, x, inplace):
        if inplace:
            # Callers that ignore the return value (``F.relu(h, inplace=True)``) still see
            # the update; mark_dirty tells autograd ``x`` now holds this op's output.
            out = x.clamp_min_(0)
            ctx.mark_dirty(x)
        else:
            out = x.clamp_min(0)
        # Keep a mask rather than the output: nothing later can invalidate it in place.
        ctx.positive = out > 0
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad.clamp_min(0) * ctx.positive, None


class _GuidedReLUMode(TorchFunctionMode):
    """Routes every ReLU call made while active through :class:`_GuidedReLUFunction`."""

    _OUT_OF_PLACE = (torch.relu, torch.Tensor.relu)
    _IN_PLACE = (torch.relu_, torch.Tensor.relu_)

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        # Functions nested inside ``func`` run with this mode switched off, so F.relu is
        # caught here, before it calls torch.relu / torch.relu_.
        if func is F.relu:
            inplace = args[1] if len(args) > 1 else kwargs.get('inplace', False)
            return _GuidedReLUFunction.apply(args[0], bool(inplace))
        if any(func is relu for relu in self._OUT_OF_PLACE):
            return _GuidedReLUFunction.apply(args[0], False)
        if any(func is relu for relu in self._IN_PLACE):
            return _GuidedReLUFunction.apply(args[0], True)
        return func(*args, **kwargs)


def guided_backprop(model: nn.Module,
                    inputs: torch.Tensor,
                    targets: Targets = None,
                    reduction: Optional[str] = 'abs_sum',
                    create_graph: bool = False) -> torch.Tensor:
    """Guided-backpropagation gradient of a per-sample score with respect to the inputs.

    The model runs once with guided ReLUs (see the module docstring for which calls are
    covered); the model, its hooks, its parameters' ``.grad``, the inputs' ``requires_grad``
    and the grad mode are left as they were, also when the forward pass or the target raises.
    The model runs in whatever train/eval mode it is in; use eval mode for BatchNorm so that
    each sample's gradient depends on that sample only (the gradient of the summed scores is
    taken).

    Args:
        model (nn.Module): the network; ``model(inputs)`` returns what ``targets`` reads.
        inputs (Tensor): ``(B, C, H, W)`` batch (any ``(B, ...)`` shape works with
            ``reduction=None``). If it requires grad, the result stays attached to its graph.
        targets: class indices (``int`` or ``(B,)``), ``None`` for the top predicted class,
            or a callable ``f(outputs) -> (B,)`` score.
        reduction (str | None): ``'abs_sum'`` returns ``g = sum_c |d y / d x_c|``, shape
            ``(B, H, W)``, the map ATCON thresholds into its mask; ``None`` returns the raw
            guided gradient, shape of ``inputs``.
        create_graph (bool): keep the result differentiable with respect to the parameters
            (and ``inputs``), for second-order training as in ATCON, whose mask is built from
            ``g`` with nothing detached. The guided masks are piecewise constant, so the
            second-order gradient flows through the weights along the open paths. When False
            the result comes back detached.

    Returns:
        Tensor: ``(B, H, W)`` with ``'abs_sum'``, else the gradient with the inputs' shape.

    Example:
        >>> import torch
        >>> from torch import nn
        >>> net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(inplace=True),
        ...                     nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 4))
        >>> x = torch.randn(2, 3, 16, 16)
        >>> g = guided_backprop(net, x, targets=torch.tensor([0, 3]))
        >>> g.shape, bool((g >= 0).all())
        (torch.Size([2, 16, 16]), True)
    """
    if not isinstance(inputs, torch.Tensor) or not inputs.is_floating_point():
        raise ValueError('inputs must be a floating-point tensor (B, C, H, W).')
    if reduction not in _REDUCTIONS:
        raise ValueError(f'reduction must be one of {_REDUCTIONS}, got {reduction!r}.')
    if reduction == 'abs_sum' and inputs.dim() != 4:
        raise ValueError(f"reduction='abs_sum' sums over the channels of (B, C, H, W) inputs, "
                         f"got shape {tuple(inputs.shape)}; use reduction=None.")
    # An alias that requires grad, so the caller's tensor keeps its flag; when the caller's
    # tensor already requires grad it is used as is and the result stays on its graph.
    x = inputs if inputs.requires_grad else inputs.detach().requires_grad_(True)

    with torch.enable_grad():
        with _GuidedReLUMode():
            # A copy, so a model that applies an in-place ReLU to its input neither hits
            # autograd's leaf check nor changes the caller's tensor.
            outputs = model(x.clone())
        # Taken outside the mode so the backward graph is built by plain autograd.
        scores = target_scores(outputs, targets, inputs.shape[0])
        if not scores.requires_grad:
            raise ValueError(_UNUSED_INPUTS)
        grad, = torch.autograd.grad(scores.sum(), x, create_graph=create_graph,
                                    allow_unused=True)
    if grad is None:
        raise ValueError(_UNUSED_INPUTS)
    if reduction == 'abs_sum':
        return grad.abs().sum(dim=1)
    return grad
