"""What an attention loss sees of one training step, in pure torch.

An algorithm's own loss runs the online encoder once per view (MoCo, BYOL, MoCo v3, a
classifier) or once on all views stacked (SimCLR). :class:`GuidanceBatch` maps the recorded
layer outputs back to views, so a loss can ask for "view 0's activations" or "Grad-CAM of
these per-view scores" without knowing how the algorithm batched its forward passes.
"""
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

import torch
from torch import nn

from ..attention import grad_cam_from_activations
from ..attention.capture import last_tensor
from ..attention.gradcam import Reshape

#: How the online forward passes hold the views.
VIEW_LAYOUTS = ('separate', 'interleaved', 'concatenated')


def view_rows(views: Sequence[torch.Tensor], call_inputs: Sequence[object],
              layout: str) -> Dict[int, tuple]:
    """Where each view sits in the recorded forward passes of the online encoder.

    Args:
        views (Sequence[Tensor]): The algorithm's views, each ``(N, 3, H, W)``.
        call_inputs (Sequence): The input of each online backbone call, in call order.
        layout (str): ``'separate'``: every call is one view, found by identity (MoCo,
            MoCo v3, BYOL, a classifier); ``'interleaved'``: one call on all views with
            sample ``n`` of view ``v`` at row ``n * V + v`` (mmpretrain's ``SimCLR``);
            ``'concatenated'``: one call, view after view (row ``v * N + n``).

    Returns:
        dict[int, tuple[int, Tensor]]: view -> ``(call index, (N,) row indices)`` for every
        view the online encoder ran on (MoCo's key view is not one of them).
    """
    if layout not in VIEW_LAYOUTS:
        raise ValueError(f'view_layout must be one of {VIEW_LAYOUTS}, got {layout!r}')
    num = views[0].shape[0]
    if layout == 'separate':
        rows = {}
        for call, images in enumerate(call_inputs):
            matches = [v for v, view in enumerate(views) if images is view]
            if not matches:
                raise ValueError(
                    "the backbone ran on a batch that is none of the views; an algorithm "
                    "that stacks its views in one forward needs view_layout='interleaved' "
                    "or 'concatenated'")
            rows[matches[0]] = (call, torch.arange(num))
        return rows
    if len(call_inputs) != 1 or call_inputs[0].shape[0] != num * len(views):
        sizes = [tuple(images.shape[:1]) for images in call_inputs]
        raise ValueError(f'view_layout={layout!r} expects one backbone call on '
                         f'{len(views)} x {num} images, got calls of sizes {sizes}')
    index = torch.arange(num)
    step, offset = (len(views), 1) if layout == 'interleaved' else (1, num)
    return {v: (0, index * step + v * offset) for v in range(len(views))}


@dataclass
class GuidanceBatch:
    """One training step as the attention losses see it.

    Attributes:
        model (nn.Module): The algorithm (for extra forwards: its ``key_embeddings``, a
            classifier's ``activations_and_logits``).
        views (list[Tensor]): Every view, ``(N, 3, H, W)`` normalised.
        data_samples (list): The N data samples (saliency maps, labels).
        rows (dict): view -> ``(call, rows)``, from :func:`view_rows`.
        layers (dict[str, list]): Layer name -> its raw output in each online call.
        outputs (list[Tensor]): The online encoder's output in each call: embeddings
            ``(V' N, D)`` (``output_kind='embedding'``) or logits (``'logits'``).
        output_kind (str): ``'embedding'`` or ``'logits'``.
    """

    model: nn.Module
    views: List[torch.Tensor]
    data_samples: list
    rows: Dict[int, tuple]
    layers: Dict[str, list]
    outputs: list
    output_kind: str = 'embedding'

    @property
    def online_views(self) -> List[int]:
        """The views the online encoder ran on, in ascending order."""
        return sorted(self.rows)

    def partner(self, view: int) -> int:
        """The other view of a two-view algorithm (its key view)."""
        if len(self.views) != 2:
            raise ValueError(f'a partner view needs two views, this step has '
                             f'{len(self.views)}')
        return 1 - view

    def per_view(self, per_call: Sequence[torch.Tensor]) -> Dict[int, torch.Tensor]:
        """Split tensors with one row per image of each call into per-view tensors.

        Args:
            per_call (Sequence[Tensor]): one tensor per online call, rows first.

        Returns:
            dict[int, Tensor]: view -> its ``(N, ...)`` rows.
        """
        return {v: per_call[call][index.to(per_call[call].device)]
                for v, (call, index) in self.rows.items()}

    def activations(self, layer: str) -> List[torch.Tensor]:
        """The raw output of ``layer`` (a tuple's last item) in each online call."""
        if layer not in self.layers:
            raise KeyError(f'layer {layer!r} was not recorded; recorded: {sorted(self.layers)}')
        return [last_tensor(output) for output in self.layers[layer]]

    def view_outputs(self) -> Dict[int, torch.Tensor]:
        """The online encoder's output (embedding or logits) of each online view."""
        return self.per_view([last_tensor(output) for output in self.outputs])

    def grad_cam(self, layer: str, scores: Dict[int, torch.Tensor],
                 reshape: Optional[Reshape] = None) -> Dict[int, torch.Tensor]:
        """Differentiable Grad-CAM (ReLU, min-max scaled) of per-view scores on ``layer``.

        The gradient is taken with respect to each call's whole activation tensor (the one
        the scores were computed from) and the maps are split by view afterwards.

        Args:
            layer (str): A recorded layer.
            scores (dict[int, Tensor]): view -> ``(N,)`` scores, computed from this step's
                online forward.
            reshape (callable, optional): tokens -> ``(B, C, h, w)``, e.g.
                :func:`attn_plugins.attention.token_grid`.

        Returns:
            dict[int, Tensor]: view -> ``(N, h, w)`` maps in the graph (second order).
        """
        activations = self.activations(layer)
        cams = []
        for call, acts in enumerate(activations):
            in_call = [(index, scores[v]) for v, (c, index) in self.rows.items()
                       if c == call and v in scores]
            if not in_call:
                cams.append(None)
                continue
            full = acts.new_zeros(acts.shape[0])
            for index, view_scores in in_call:
                # under autocast the scores (a linear layer's output) and the activations
                # (a norm's or a convolution's) may differ in dtype
                full = full.index_put((index.to(acts.device), ), view_scores.to(full.dtype))
            cams.append(grad_cam_from_activations(acts, full, relu=True, normalize='minmax',
                                                  create_graph=True, reshape=reshape))
        return {v: cams[call][index.to(cams[call].device)]
                for v, (call, index) in self.rows.items() if v in scores}
