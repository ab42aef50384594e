"""ATCON's attention consistency (Mirzazadeh, Dubost et al., WACV 2023), in pure torch.

For an image ``x`` (already normalised) and the model's own top class ``c``:

1. ``A1 = Grad-CAM_c(x)`` on the explained feature map (the last stage), with no ReLU and no
   upsampling;
2. ``g = sum over channels of |Guided-Backprop_c(x)|``, ``(H, W)``;
3. ``M = sigmoid(w * (g - mean(g) - std(g) / 2))``, ``w`` the mask intensity;
4. ``A2 = Grad-CAM_c(M * x)``;
5. consistency ``= Pearson(sigmoid(z(A1)), sigmoid(z(A2)))``, ``z`` the per-map z-score with
   the unbiased std; 0 where the correlation is undefined (a constant map).

The loss is minus the consistency, averaged over the batch. With ``create_graph=True``
nothing is detached: the maps depend on the network through the activations, through the
gradients (second order) and, for ``A2``, through the mask ``M``, whose ``g`` is itself a
gradient of the network.

The model is any callable ``model(x) -> (activations, logits)``: the ``(B, C, h, w)`` map
to explain and the ``(B, K)`` class scores computed from it, in one pass. No hook is
registered and no module is modified. Put BatchNorm in eval mode (:func:`batchnorm_eval`)
for the call: the gradients are taken of the summed scores, which equals the per-sample
gradient only when samples do not interact.
"""
from contextlib import contextmanager
from typing import Callable, Dict, Iterator, Optional, Sequence, Tuple, Union

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from ..attention import grad_cam_from_activations, guided_backprop, target_scores
from ..saliency import cc_loss

ActivationsAndLogits = Callable[[torch.Tensor], Tuple[torch.Tensor, torch.Tensor]]


def guided_mask(guided: torch.Tensor, intensity: float,
                standardize: bool = False) -> torch.Tensor:
    """ATCON's soft foreground mask from a Guided-Backprop map.

    ``M = sigmoid(w * (g - mean(g) - std(g) / 2))`` per sample, mean and unbiased std over
    the pixels of the sample's map (ATCON's rule). ``w`` then acts on the *units of g*,
    input gradients whose scale depends on the network and the image (about 1e-3 to 1e-2 for
    the CPU-size ResNet-18 here): with ``w = 8`` the mask stays within a few hundredths of
    0.5 and the masked image is about half the image, so the consistency loss reduces to
    "``CAM(x) = CAM(0.5 x)``". ``standardize=True`` measures ``g`` in units of its own std
    first, ``M = sigmoid(w * ((g - mean(g)) / std(g) - 1 / 2))``: the same threshold, but a
    slope that does not depend on the scale of ``g`` (``w = 8``: pixels 0.5 std above the
    threshold get 0.98, 0.5 std below 0.02). A constant ``g`` gives ``sigmoid(-w / 2)``.

    Args:
        guided (Tensor): ``(B, H, W)`` Guided-Backprop maps ``g`` (``sum_c |d y / d x_c|``).
        intensity (float): ``w``, the slope of the sigmoid (8 to 100 in the paper's runs).
        standardize (bool): Divide ``g - mean(g)`` by ``std(g)`` (scale-free mask).
            Defaults to False (ATCON's rule).

    Returns:
        Tensor: ``(B, H, W)`` masks in ``(0, 1)``, differentiable in ``guided``.

    Example:
        >>> g = torch.tensor([[[0., 0.], [0., 4.]]])
        >>> guided_mask(g, intensity=8.0).round(decimals=3)
        tensor([[[0., 0.],
                 [0., 1.]]])
        >>> guided_mask(g / 1000, intensity=8.0).round(decimals=3)  # tiny g: about 0.5
        tensor([[[0.4960, 0.4960],
                 [0.4960, 0.5040]]])
        >>> guided_mask(g / 1000, intensity=8.0, standardize=True).round(decimals=3)
        tensor([[[0., 0.],
                 [0., 1.]]])
    """
    if not isinstance(guided, torch.Tensor) or guided.dim() != 3:
        got = (f'shape {tuple(guided.shape)}' if isinstance(guided, torch.Tensor)
               else type(guided).__name__)
        raise ValueError(f'guided must be a (B, H, W) tensor of Guided-Backprop maps, got {got}.')
    if guided[0].numel() < 2:
        raise ValueError('guided maps need at least 2 pixels for a standard deviation, got '
                         f'shape {tuple(guided.shape)}.')
    flat = guided.flatten(1)
    mean = flat.mean(dim=1)[:, None, None]
    std = flat.std(dim=1)[:, None, None]  # (B, 1, 1), unbiased
    if not standardize:
        return torch.sigmoid(intensity * (guided - mean - std / 2))
    # A constant map has std 0: divide by 1 there, which keeps the graph finite.
    safe_std = torch.where(std > 0, std, torch.ones_like(std))
    return torch.sigmoid(intensity * ((guided - mean) / safe_std - 0.5))


def zscore(maps: torch.Tensor) -> torch.Tensor:
    """Per-map z-score ``(m - mean) / std`` with the unbiased std, over the last two dims.

    A constant map (or a map of one pixel, whose unbiased std is undefined) becomes all
    zeros, with finite gradients.

    Args:
        maps (Tensor): ``(B, h, w)`` maps.

    Returns:
        Tensor: ``(B, h, w)`` z-scores.
    """
    count = maps.shape[-2] * maps.shape[-1]
    centred = maps - maps.mean(dim=(-2, -1), keepdim=True)
    var = centred.pow(2).sum(dim=(-2, -1), keepdim=True) / max(count - 1, 1)
    flat = maps.amax(dim=(-2, -1), keepdim=True) == maps.amin(dim=(-2, -1), keepdim=True)
    invalid = flat | (var == 0) | (count < 2)
    # Dividing flat maps by 1 keeps sqrt's infinite slope at 0 out of the graph.
    safe_var = torch.where(invalid, torch.ones_like(var), var)
    return torch.where(invalid, torch.zeros_like(centred), centred / safe_var.sqrt())


def map_correlation(first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
    """Pearson correlation of ``sigmoid(z(first))`` and ``sigmoid(z(second))`` per sample.

    Args:
        first (Tensor): ``(B, h, w)`` maps, e.g. ``A1``.
        second (Tensor): ``(B, h, w)`` maps of the same shape, e.g. ``A2``.

    Returns:
        Tensor: ``(B,)`` correlations in ``[-1, 1]``; 0 where either map is constant.

    Example:
        >>> a = torch.arange(9.).view(1, 3, 3)
        >>> map_correlation(a, 2 * a + 1), map_correlation(a, torch.ones(1, 3, 3))
        (tensor([1.0000]), tensor([0.]))
    """
    if first.dim() != 3 or first.shape != second.shape:
        raise ValueError(f'map_correlation needs two (B, h, w) maps of one shape, got '
                         f'{tuple(first.shape)} and {tuple(second.shape)}.')
    # Pearson does not depend on the std convention, so the shared CC loss serves here.
    return -cc_loss(torch.sigmoid(zscore(first)), torch.sigmoid(zscore(second)),
                    reduction='none')


def attention_consistency(model: ActivationsAndLogits,
                          inputs: torch.Tensor,
                          mask_intensity: float = 8.0,
                          targets: Optional[Union[int, Sequence[int], torch.Tensor]] = None,
                          create_graph: bool = True,
                          mask_standardize: bool = False,
                          return_maps: bool = False
                          ) -> Union[torch.Tensor, Tuple[torch.Tensor, Dict[str, torch.Tensor]]]:
    """ATCON's per-image attention consistency (see the module docstring).

    Gradients are enabled for the call whatever the grad mode (it works inside
    ``torch.no_grad()``, e.g. in a validation loop); the model's train/eval flags, the
    inputs' ``requires_grad`` and the parameters' ``.grad`` are left as they were.

    Args:
        model (callable): ``model(x) -> (activations, logits)``: the ``(B, C, h, w)`` map
            Grad-CAM explains (ATCON: the last stage) and the ``(B, K)`` logits computed from
            it. It is also run once with guided ReLUs for the mask.
        inputs (Tensor): ``(B, 3, H, W)`` normalised images.
        mask_intensity (float): ``w`` of the Guided-Backprop mask. Defaults to 8.
        targets (int | Sequence[int] | Tensor, optional): the explained class of each image;
            ``None`` (default) takes the model's top prediction on ``inputs``, as ATCON does.
        create_graph (bool): keep everything differentiable (second order) for training.
            When False the results come back detached.
        mask_standardize (bool): the scale-free mask of :func:`guided_mask`. Defaults to
            False (ATCON's rule).
        return_maps (bool): also return a dict of the intermediate maps.

    Returns:
        Tensor ``(B,)`` of consistencies, or ``(consistency, maps)`` with ``return_maps``,
        ``maps`` holding ``cam`` (``A1``, ``(B, h, w)``), ``masked_cam`` (``A2``),
        ``guided`` (``g``, ``(B, H, W)``), ``mask`` (``M``), ``logits`` (``(B, K)``) and
        ``classes`` (``(B,)`` explained classes).

    Example:
        >>> _ = torch.manual_seed(0)
        >>> body = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(),
        ...                      nn.Conv2d(8, 8, 3, stride=2, padding=1), nn.ReLU())
        >>> head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 4))
        >>> def model(x):
        ...     feats = body(x)
        ...     return feats, head(feats)
        >>> corr = attention_consistency(model, torch.randn(2, 3, 16, 16), mask_intensity=8.)
        >>> corr.shape, bool(corr.abs().max() <= 1), corr.requires_grad
        (torch.Size([2]), True, True)
    """
    if not isinstance(inputs, torch.Tensor) or inputs.dim() != 4:
        got = (f'shape {tuple(inputs.shape)}' if isinstance(inputs, torch.Tensor)
               else type(inputs).__name__)
        raise ValueError(f'inputs must be a (B, C, H, W) batch of images, got {got}.')
    batch_size = inputs.shape[0]
    # A leaf of our own that requires grad, so the graph exists even for a frozen model.
    x = inputs if inputs.requires_grad else inputs.detach().requires_grad_(True)

    with torch.enable_grad():
        activations, logits = _run(model, x)
        if targets is None:
            classes = logits.detach().argmax(dim=1)
        else:
            # target_scores below checks the dtype, shape and range of the indices.
            classes = torch.as_tensor(targets, device=logits.device)
            if classes.dim() == 0:
                classes = classes.expand(batch_size)
        cam = grad_cam_from_activations(activations, target_scores(logits, classes, batch_size),
                                        relu=False, create_graph=create_graph,
                                        retain_graph=True)

        guided = guided_backprop(lambda images: _run(model, images)[1], x, targets=classes,
                                 create_graph=create_graph)
        mask = guided_mask(guided, mask_intensity, standardize=mask_standardize)
        masked_activations, masked_logits = _run(model, mask.unsqueeze(1) * x)
        masked_cam = grad_cam_from_activations(
            masked_activations, target_scores(masked_logits, classes, batch_size), relu=False,
            create_graph=create_graph)
        consistency = map_correlation(cam, masked_cam)

    if not create_graph:
        consistency, logits = consistency.detach(), logits.detach()
    if not return_maps:
        return consistency
    maps = dict(cam=cam, masked_cam=masked_cam, guided=guided, mask=mask, logits=logits,
                classes=classes)
    return consistency, maps


def consistency_loss(model: ActivationsAndLogits,
                     inputs: torch.Tensor,
                     mask_intensity: float = 8.0,
                     targets: Optional[Union[int, Sequence[int], torch.Tensor]] = None,
                     mask_standardize: bool = False) -> torch.Tensor:
    """ATCON's unsupervised loss: minus the attention consistency, averaged over the batch.

    Args:
        model (callable): ``model(x) -> (activations, logits)``, see
            :func:`attention_consistency`.
        inputs (Tensor): ``(B, 3, H, W)`` normalised images.
        mask_intensity (float): ``w`` of the Guided-Backprop mask. Defaults to 8.
        targets: explained classes; ``None`` (default) for the top prediction.
        mask_standardize (bool): the scale-free mask of :func:`guided_mask`. Defaults to
            False (ATCON's rule).

    Returns:
        Tensor: scalar loss in ``[-1, 1]``, differentiable to second order.
    """
    return -attention_consistency(model, inputs, mask_intensity=mask_intensity,
                                  targets=targets, create_graph=True,
                                  mask_standardize=mask_standardize).mean()


def _run(model: ActivationsAndLogits, images: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """``model(images)``, checked to be an ``(activations, logits)`` pair."""
    outputs = model(images)
    if not (isinstance(outputs, (tuple, list)) and len(outputs) == 2
            and all(isinstance(item, torch.Tensor) for item in outputs)):
        raise ValueError('model must return a pair (activations (B, C, h, w), logits (B, K)), '
                         f'got {type(outputs).__name__}; wrap the network, e.g. '
                         '`lambda x: (feats := body(x), head(feats))`.')
    activations, logits = outputs
    if logits.dim() != 2 or logits.shape[0] != images.shape[0]:
        raise ValueError(f'model must return (B, K) logits as its second output, got shape '
                         f'{tuple(logits.shape)} for a batch of {images.shape[0]}.')
    return activations, logits


@contextmanager
def batchnorm_eval(model: nn.Module) -> Iterator[nn.Module]:
    """Put every BatchNorm layer of ``model`` in eval mode; restore each one's flag on exit.

    ATCON's consistency steps run with BatchNorm in eval mode (running statistics, no
    update), so each image's attention depends on that image only. Other modules keep their
    mode. The flags are restored also when the body raises.

    Args:
        model (nn.Module): the network.

    Yields:
        nn.Module: ``model``.

    Example:
        >>> net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4)).train()
        >>> with batchnorm_eval(net):
        ...     net[1].training, net[0].training
        (False, True)
        >>> net[1].training
        True
    """
    norms = [module for module in model.modules() if isinstance(module, _BatchNorm)]
    flags = [module.training for module in norms]
    try:
        for module in norms:
            module.eval()
        yield model
    finally:
        for module, flag in zip(norms, flags):
            module.train(flag)
