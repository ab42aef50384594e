"""Names of the fields the saliency pipeline puts on results dicts and data samples: one place
for every producer (transforms, hooks, models) and consumer (losses, metrics, tools). Plain
string constants.

Example:
    >>> from attn_plugins.data.fields import SALIENCY, SALIENCY_EMPTY
    >>> SALIENCY, SALIENCY_EMPTY
    ('saliency', 'saliency_empty')
"""

#: A saliency map per image ``(H, W)`` or per view ``(V, H, W)``: object masks, teacher maps.
SALIENCY = 'saliency'
#: Per view, True where the crop found no salient pixel (set by the saliency crops).
SALIENCY_EMPTY = f'{SALIENCY}_empty'
#: Where :class:`~attn_plugins.data.LoadSaliencyMap` finds the map's file.
SALIENCY_PATH = f'{SALIENCY}_path'
#: A binary human fixation map: 1 at fixated pixels.
FIXATION_MAP = 'fixation_map'
#: A human fixation density: non-negative, summing to 1.
FIXATION_DENSITY = 'fixation_density'
#: A model's predicted saliency or attention, ``(h, w)``.
PRED_SALIENCY = 'pred_saliency'
