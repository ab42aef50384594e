"""Measurement helpers shared by the benchmark scripts in this folder."""
import statistics
import time
from typing import Callable, Dict

import torch


def synchronize(device: torch.device) -> None:
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def interleaved_medians(steps: Dict[str, Callable[[], object]], iters: int, warmup: int,
                        device: torch.device) -> Dict[str, float]:
    """Median seconds per call of each step, calling them in turn so drifts in machine load
    hit all of them alike."""
    for _ in range(warmup):
        for step in steps.values():
            step()
    times = {name: [] for name in steps}
    for _ in range(iters):
        for name, step in steps.items():
            synchronize(device)
            start = time.perf_counter()
            step()
            synchronize(device)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def saved_tensor_bytes(forward: Callable[[], object]) -> int:
    """Bytes of the distinct storages autograd saves for backward while ``forward`` runs:
    the activation memory a training step holds at its peak, on any device."""
    storages = {}

    def pack(tensor):
        storage = tensor.untyped_storage()
        storages[storage.data_ptr()] = storage.nbytes()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        forward()
    return sum(storages.values())


def cuda_peak_bytes(step: Callable[[], object], device: torch.device) -> int:
    """Peak CUDA memory allocated during ``step`` above what was allocated before it."""
    synchronize(device)
    torch.cuda.reset_peak_memory_stats(device)
    base = torch.cuda.memory_allocated(device)
    step()
    synchronize(device)
    return torch.cuda.max_memory_allocated(device) - base


def multiply_adds(step: Callable[[], object]) -> int:
    """Multiply-adds of the matrix products ``step`` runs (forward and backward).

    Counted by ``torch.utils.flop_counter.FlopCounterMode`` (2 flops per multiply-add), with
    scaled-dot-product attention on its math kernel: the fused CPU kernels have no counting
    rule, and the math kernel does the same products. Elementwise work is not counted, so
    the ratio of two modules' counts is the ratio their run times would have if every
    product ran at the same rate and nothing else cost time.
    """
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from torch.utils.flop_counter import FlopCounterMode

    with sdpa_kernel(SDPBackend.MATH), FlopCounterMode(display=False) as counter:
        step()
    return counter.get_total_flops() // 2
