"""OpenMMLab data adapters: datasets, transforms and samplers (registered on import)."""
from .image_folder import ImageFolder, find_images, read_list_file
from .photometric import ColorJitterNumpy2, shift_hue

__all__ = ['ImageFolder', 'find_images', 'read_list_file', 'ColorJitterNumpy2', 'shift_hue']
