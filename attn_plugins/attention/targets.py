"""Turn a ``targets`` argument (class indices, ``None`` or a callable) into per-sample scores."""
from typing import Callable, Optional, Sequence, Union

import torch

Targets = Optional[Union[int, Sequence[int], torch.Tensor, Callable[..., torch.Tensor]]]


def target_scores(outputs, targets: Targets, batch_size: int) -> torch.Tensor:
    """Per-sample scores that an attention map explains.

    Args:
        outputs: what the model returned. For class-index targets (and ``None``) it must be a
            ``(B, K)`` tensor of logits; a callable target receives it as it is.
        targets: one of
            - ``None``: the top predicted class of each sample, ``outputs.argmax(1)``;
            - an ``int``: that class for every sample;
            - a sequence or integer tensor of shape ``(B,)``: one class per sample;
            - a callable ``f(outputs) -> (B,)`` tensor of scores, e.g.
              ``lambda logits: logits[:, 3] - logits[:, 5]``.
        batch_size: ``B``, the number of samples the scores must cover.

    Returns:
        Tensor ``(B,)``: the scores, still attached to the graph of ``outputs``.

    Example:
        >>> logits = torch.tensor([[0.1, 2.0, -1.0], [3.0, 0.0, 1.0]])
        >>> target_scores(logits, None, 2)
        tensor([2., 3.])
        >>> target_scores(logits, [2, 2], 2)
        tensor([-1.,  1.])
    """
    if callable(targets):
        scores = targets(outputs)
        if not isinstance(scores, torch.Tensor) or scores.shape != (batch_size,):
            got = tuple(scores.shape) if isinstance(scores, torch.Tensor) else type(scores).__name__
            raise ValueError(
                f'the targets callable must return one score per sample, a tensor of shape '
                f'({batch_size},); it returned {got}. Reduce it to one value per sample, '
                f'e.g. logits[:, c] rather than logits.')
        return scores

    if not isinstance(outputs, torch.Tensor) or outputs.dim() != 2:
        got = (f'a tensor of shape {tuple(outputs.shape)}' if isinstance(outputs, torch.Tensor)
               else f'a {type(outputs).__name__}')
        raise ValueError(
            f'class-index targets need a model that returns (B, K) logits, but it returned '
            f'{got}; pass a callable target that maps the output to a (B,) score instead.')
    if outputs.shape[0] != batch_size:
        raise ValueError(f'the model returned {outputs.shape[0]} rows of logits for a batch of '
                         f'{batch_size} inputs; it must return one row per input.')
    num_classes = outputs.shape[1]

    if targets is None:
        indices = outputs.detach().argmax(dim=1)
    else:
        if isinstance(targets, int):
            targets = [targets] * batch_size
        indices = torch.as_tensor(targets, device=outputs.device)
        if indices.is_floating_point() or indices.is_complex() or indices.dtype == torch.bool:
            raise ValueError(f'class-index targets must be integers, got dtype {indices.dtype}.')
        if indices.shape != (batch_size,):
            raise ValueError(
                f'class-index targets must have shape ({batch_size},), one class per sample, '
                f'got shape {tuple(indices.shape)}.')
        if indices.numel() and (indices.min() < 0 or indices.max() >= num_classes):
            raise ValueError(
                f'class-index targets must lie in [0, {num_classes - 1}] for a model with '
                f'{num_classes} outputs, got {indices.tolist()}.')
    return outputs.gather(1, indices.long().unsqueeze(1)).squeeze(1)
