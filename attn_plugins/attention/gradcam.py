"""Differentiable Grad-CAM (Selvaraju et al., ICCV 2017).

Two layers share one computation:

- :func:`grad_cam_from_activations` works on any activation tensor of an autograd graph and
  a score that depends on it. CAST calls it on ``feats[-1]`` of its backbone, with no hooks.
- :func:`grad_cam` captures a layer's output with a temporary forward hook, runs the model,
  turns ``targets`` into scores and calls the function above.

With ``create_graph=True`` nothing is detached: the map depends on the network both through
the activations and through the gradients (second order), so a loss on the map alone trains
every parameter that shaped it, including the ones after the layer.
"""
from typing import Callable, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from torch import nn

from ..saliency.maps import minmax_scale
from .targets import Targets, target_scores

_NORMALIZE = (None, 'minmax')

#: ``(B, N, C)`` tokens (or any tensor) -> ``(B, C, h, w)`` feature map
Reshape = Callable[[torch.Tensor], torch.Tensor]


def token_grid(num_extra_tokens: int = 1,
               grid: Optional[Tuple[int, int]] = None) -> Reshape:
    """A reshape for Grad-CAM on a transformer layer: ``(B, N, C)`` tokens -> ``(B, C, h, w)``
    patch grid, the first ``num_extra_tokens`` (a class token) dropped.

    Args:
        num_extra_tokens (int): Tokens before the patch grid. Defaults to 1.
        grid (tuple[int, int], optional): ``(h, w)``; a square grid by default.

    Returns:
        callable: The reshape, for ``grad_cam(..., reshape=...)``.

    Example:
        >>> import torch
        >>> tokens = torch.arange(2 * 5 * 3.).reshape(2, 5, 3)  # class token + 2 x 2 grid
        >>> token_grid(1)(tokens).shape
        torch.Size([2, 3, 2, 2])
    """
    def reshape(tokens: torch.Tensor) -> torch.Tensor:
        if tokens.dim() != 3:
            raise ValueError(f'token_grid expects (B, N, C) tokens, got shape '
                             f'{tuple(tokens.shape)}')
        patches = tokens[:, num_extra_tokens:]
        count = patches.shape[1]
        height, width = grid if grid is not None else (int(round(count ** 0.5)),) * 2
        if height * width != count:
            raise ValueError(f'{count} patch tokens do not form a {height} x {width} grid; '
                             'give grid=(h, w) or the right num_extra_tokens')
        return patches.transpose(1, 2).reshape(tokens.shape[0], -1, height, width)

    return reshape


def grad_cam_from_activations(activations: torch.Tensor,
                              scores: torch.Tensor,
                              relu: bool = True,
                              normalize: Optional[str] = None,
                              eps: float = 1e-7,
                              create_graph: bool = False,
                              retain_graph: Optional[bool] = None,
                              reshape: Optional[Reshape] = None) -> torch.Tensor:
    """Grad-CAM of ``scores`` with respect to ``activations``.

    Channel weights are the spatial mean of ``d score / d A``; the map is
    ``sum_k w_k * A_k``, optionally through ReLU and a per-sample min-max scaling
    ``(m - min m) / (max m - min m + eps)``.

    The gradient is taken of ``scores.sum()``. It equals the per-sample gradient when sample
    ``i``'s score depends on sample ``i``'s activations only, which holds for the usual
    networks and for BatchNorm in eval mode but not for BatchNorm in train mode, whose batch
    statistics couple the samples.

    Args:
        activations (Tensor): ``(B, C, h, w)`` feature map inside the autograd graph of
            ``scores`` (it must require grad).
        scores (Tensor): ``(B,)`` one score per sample, computed from ``activations``.
        relu (bool): apply ReLU to the weighted sum (standard Grad-CAM). ATCON turns it off.
        normalize (str | None): ``None`` or ``'minmax'`` (per-sample scaling to ``[0, 1)``).
        eps (float): added to the min-max denominator; ``1e-7`` as in CAST's released code.
        create_graph (bool): build the graph of the gradient so the map can be
            differentiated again (second order). When False the returned map is detached.
        retain_graph (bool | None): keep the graph of ``scores`` for a later backward pass.
            Defaults to ``create_graph``.
        reshape (callable, optional): maps ``activations`` (e.g. a transformer's ``(B, N, C)``
            tokens) and their gradient alike to ``(B, C, h, w)``, such as
            :func:`token_grid`. The gradient is taken with respect to ``activations``
            themselves, which the scores depend on, so the map stays differentiable (second
            order) through a token layer.

    Returns:
        Tensor: ``(B, h, w)`` Grad-CAM maps at the (reshaped) activations' resolution.

    Example:
        >>> import torch
        >>> from torch import nn
        >>> backbone = nn.Conv2d(3, 8, 3, padding=1)
        >>> head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 5))
        >>> feats = backbone(torch.randn(2, 3, 7, 7))
        >>> scores = head(feats)[:, 1]
        >>> cam = grad_cam_from_activations(feats, scores, normalize='minmax',
        ...                                 create_graph=True)
        >>> cam.shape, bool(cam.min() >= 0), bool(cam.max() <= 1), cam.requires_grad
        (torch.Size([2, 7, 7]), True, True, True)
    """
    if not isinstance(activations, torch.Tensor) or (reshape is None
                                                     and activations.dim() != 4):
        got = (f'shape {tuple(activations.shape)}' if isinstance(activations, torch.Tensor)
               else type(activations).__name__)
        raise ValueError(f'activations must be a (B, C, h, w) tensor, got {got}; for '
                         'transformer tokens pass reshape=token_grid().')
    batch_size = activations.shape[0]
    if not isinstance(scores, torch.Tensor) or scores.shape != (batch_size,):
        got = (f'shape {tuple(scores.shape)}' if isinstance(scores, torch.Tensor)
               else type(scores).__name__)
        raise ValueError(f'scores must be a tensor of shape ({batch_size},), one score per '
                         f'sample of the activations, got {got}.')
    if normalize not in _NORMALIZE:
        raise ValueError(f'normalize must be one of {_NORMALIZE}, got {normalize!r}.')
    if not (activations.requires_grad and scores.requires_grad):
        raise ValueError('activations and scores must be part of one autograd graph (both '
                         'require grad); compute them with gradients enabled, e.g. inside '
                         'torch.enable_grad().')
    if retain_graph is None:
        retain_graph = create_graph

    grads, = torch.autograd.grad(scores.sum(), activations, create_graph=create_graph,
                                 retain_graph=retain_graph, allow_unused=True)
    if grads is None:
        raise ValueError('scores do not depend on activations: pass the feature map that the '
                         'scores were computed from.')
    if not create_graph:
        activations = activations.detach()
    if reshape is not None:
        # A linear re-indexing: the gradient of the reshaped map is the reshaped gradient.
        activations, grads = reshape(activations), reshape(grads)
        if activations.dim() != 4:
            raise ValueError(f'reshape must give (B, C, h, w), got shape '
                             f'{tuple(activations.shape)}')
    weights = grads.mean(dim=(2, 3), keepdim=True)  # (B, C, 1, 1)
    cam = (weights * activations).sum(dim=1)  # (B, h, w)
    if relu:
        cam = F.relu(cam)
    if normalize == 'minmax':
        cam = minmax_scale(cam, eps)
    return cam


def resolve_layer(model: nn.Module, layer: Union[nn.Module, str]) -> nn.Module:
    """The submodule ``layer`` of ``model``, given as a module or a dotted name.

    Args:
        model (nn.Module): the network.
        layer (nn.Module | str): one of its submodules, or its name as in
            ``model.named_modules()`` (e.g. ``'backbone.layer4'``).

    Returns:
        nn.Module: the submodule.

    Example:
        >>> from torch import nn
        >>> net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU())
        >>> resolve_layer(net, '0')
        Conv2d(3, 4, kernel_size=(3, 3), stride=(1, 1))
    """
    if isinstance(layer, str):
        modules = dict(model.named_modules())
        if layer not in modules:
            names = [name for name in modules if name][:20]
            raise ValueError(f'model has no submodule named {layer!r}; names look like '
                             f'{names}.')
        return modules[layer]
    if not isinstance(layer, nn.Module):
        raise ValueError(f'layer must be an nn.Module or a submodule name, got '
                         f'{type(layer).__name__}.')
    if not any(module is layer for module in model.modules()):
        raise ValueError(f'layer {type(layer).__name__} is not a submodule of the model; pass '
                         f'a module taken from this model (e.g. model.backbone.layer4).')
    return layer


def grad_cam(model: nn.Module,
             layer: Union[nn.Module, str],
             inputs: torch.Tensor,
             targets: Targets = None,
             relu: bool = True,
             normalize: Optional[str] = None,
             upsample_to: Optional[Union[int, Sequence[int]]] = None,
             eps: float = 1e-7,
             create_graph: bool = False,
             return_outputs: bool = False,
             reshape: Optional[Reshape] = None,
             renormalize: bool = False
             ) -> Union[torch.Tensor, Tuple[torch.Tensor, object]]:
    """Grad-CAM maps of ``model`` at ``layer`` for a batch of inputs.

    The layer's output is captured by a forward hook that is removed before returning, also
    when the forward pass or the target raises. Gradients are enabled for the call and the
    previous grad mode restored after; the inputs' ``requires_grad`` and the model's
    ``training`` flag are never changed, so put BatchNorm in eval mode yourself when maps
    must be independent across the batch. Parameters' ``.grad`` are not touched. A frozen
    model (no parameter requiring grad) works too.

    Args:
        model (nn.Module): the network; ``model(inputs)`` returns what ``targets`` reads.
        layer (nn.Module | str): submodule (or its name) whose ``(B, C, h, w)`` output (or,
            with ``reshape``, any output that it maps to one) is explained. It must run
            exactly once per forward pass. The model continues with a copy of that output,
            so in-place ops after the layer do not alter the map.
        inputs (Tensor): ``(B, ...)`` batch passed to ``model``.
        targets: class indices (``int``, or ``(B,)`` sequence/tensor), ``None`` for the top
            predicted class, or a callable ``f(outputs) -> (B,)`` score; see
            :func:`attn_plugins.attention.targets.target_scores`.
        relu (bool): ReLU on the weighted sum.
        normalize (str | None): ``None`` or ``'minmax'`` per-sample scaling.
        upsample_to (int | (H, W) | None): bilinear resize of the maps (after ReLU and
            scaling); ``None`` keeps the layer's resolution.
        eps (float): min-max denominator epsilon.
        create_graph (bool): keep the map differentiable (second order). When False the maps
            (and outputs) come back detached and the graph is freed.
        return_outputs (bool): also return the model's outputs (e.g. logits, to read the
            predicted class or add a classification loss).
        reshape (callable, optional): the layer's output (and its gradient) to
            ``(B, C, h, w)``, e.g. :func:`token_grid` for a ViT block's tokens; see
            :func:`grad_cam_from_activations`.
        renormalize (bool): min-max scale each map to [0, 1] after upsampling, as
            pytorch-grad-cam returns its maps.

    Returns:
        Tensor ``(B, h, w)`` (or ``(B, H, W)`` with ``upsample_to``), or ``(maps, outputs)``
        with ``return_outputs=True``.

    Example:
        >>> import torch
        >>> from torch import nn
        >>> net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(),
        ...                     nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 4))
        >>> x = torch.randn(2, 3, 16, 16)
        >>> cam, logits = grad_cam(net, net[1], x, targets=None, normalize='minmax',
        ...                        upsample_to=32, return_outputs=True)
        >>> cam.shape, logits.shape
        (torch.Size([2, 32, 32]), torch.Size([2, 4]))
    """
    module = resolve_layer(model, layer)
    if not isinstance(inputs, torch.Tensor) or inputs.dim() == 0:
        raise ValueError('inputs must be a batched tensor (B, ...).')
    if normalize not in _NORMALIZE:
        raise ValueError(f'normalize must be one of {_NORMALIZE}, got {normalize!r}.')
    captured = []

    def capture(_module, _args, output):
        if not isinstance(output, torch.Tensor):
            captured.append(output)
            return None
        if not output.requires_grad:
            # Frozen model: a leaf of our own to take the gradient to; the model's tensor
            # keeps its flag.
            output = output.detach().requires_grad_(True)
        captured.append(output)
        # The model continues with a copy, so in-place ops after the layer (a following
        # ReLU(inplace=True)) cannot change the map being explained.
        return output.clone()

    handle = module.register_forward_hook(capture)
    try:
        with torch.enable_grad():
            outputs = model(inputs)
            if not captured:
                raise ValueError(f'layer {type(module).__name__} did not run in the forward '
                                 f'pass; pick a module that the model calls.')
            if len(captured) > 1:
                raise ValueError(f'layer {type(module).__name__} ran {len(captured)} times '
                                 f'in one forward pass (a shared module); pick a module '
                                 f'that runs once.')
            activations = captured[0]
            if not isinstance(activations, torch.Tensor) or (reshape is None
                                                             and activations.dim() != 4):
                got = (f'shape {tuple(activations.shape)}'
                       if isinstance(activations, torch.Tensor)
                       else f'a {type(activations).__name__}')
                raise ValueError(f'layer {type(module).__name__} must output a (B, C, h, w) '
                                 f'tensor, got {got}; for transformer tokens pass '
                                 f'reshape=token_grid(), or pick another layer.')
            scores = target_scores(outputs, targets, inputs.shape[0])
            cam = grad_cam_from_activations(activations, scores, relu=relu,
                                            normalize=normalize, eps=eps,
                                            create_graph=create_graph, reshape=reshape)
    finally:
        handle.remove()

    if upsample_to is not None:
        cam = F.interpolate(cam.unsqueeze(1), size=upsample_to, mode='bilinear',
                            align_corners=False).squeeze(1)
    if renormalize:
        cam = minmax_scale(cam, eps)
    if not return_outputs:
        return cam
    if not create_graph:
        outputs = _detach(outputs)
    return cam, outputs


def _detach(outputs):
    """``outputs`` with every tensor detached, through tuples, lists and dicts."""
    if isinstance(outputs, torch.Tensor):
        return outputs.detach()
    if isinstance(outputs, tuple):
        return tuple(_detach(item) for item in outputs)
    if isinstance(outputs, list):
        return [_detach(item) for item in outputs]
    if isinstance(outputs, dict):
        return {key: _detach(value) for key, value in outputs.items()}
    return outputs
