"""Protocol constants that both the torch modules and the tools' command-line parsers use.

Pure Python: the tools read their argument defaults from here, so ``--help`` needs neither
torch nor OpenMMLab. The modules that use the values (:mod:`attn_plugins.probes`,
:mod:`attn_plugins.saliency`, :mod:`attn_plugins.engine.transfer`) import them from here and
keep their old names.
"""

#: Weight decays tried by :func:`attn_plugins.probes.select_weight_decay` (the penalty
#: ``wd / 2 * |W|^2`` is added to the mean cross-entropy, so it does not grow with the
#: number of samples).
DEFAULT_WEIGHT_DECAYS = (1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1)

#: L2 penalty of the few-shot probes (added to the mean cross-entropy).
FEW_SHOT_WEIGHT_DECAY = 1e-2

#: Share of a module's tensors (weights and buffers, BatchNorm's ``num_batches_tracked``
#: left out) that ``--pretrained`` must fill by name and shape. Below it the checkpoint is
#: taken for another architecture. What does not match (a ViT's position embedding at
#: another resolution, which the backbone interpolates on loading) keeps its initial value.
MIN_PRETRAINED_MATCH = 0.9

#: The methods of :func:`attn_plugins.saliency.estimate_saliency` (no teacher, no training);
#: the first is its default.
SALIENCY_ESTIMATORS = ('signature_center', 'image_signature', 'spectral_residual_center',
                       'spectral_residual', 'center_bias')

#: The tasks of ``tools/analysis/ssl_eval.py``, in the order they run (corruption,
#: grounding and fixations reuse the linear probe; attention builds the whole model).
SSL_EVAL_TASKS = ('linear', 'knn', 'fewshot', 'corruption', 'grounding', 'fixations',
                  'attention')
#: The tasks it runs unless told: ``fixations`` and ``attention`` are asked for by name.
SSL_EVAL_DEFAULT_TASKS = SSL_EVAL_TASKS[:5]
