"""OpenMMLab data adapters: datasets, transforms and samplers (registered on import).

The mmdet dataset ``VOCFormatDataset`` is in :mod:`.detection`, registered with the mmdet
scope (:mod:`attn_plugins.scopes.mmdet`)."""
from .class_list import ClassFolderList
from .image_folder import ImageFolder, find_images, read_list_file
from .object_crops import CropObjectBox, VOCObjectCrops
from .photometric import ColorJitterNumpy2, shift_hue
from .saliency_datasets import (FixationDataset, FixationMapFolder, OSIEFixations,
                                SALICONFixations, SaliencyImageFolder, SceneSaliencyFixations,
                                index_saliency_maps)
from .transforms import (EstimateSaliency, FixationsToDensity, LoadSaliencyMap,
                         PackSaliencyInputs, SaliencyCenterCrop,
                         SaliencyConstrainedRandomResizedCrop, SaliencyMultiView,
                         SaliencyRandomFlip, SaliencyResize, align_maps, crop_sample,
                         flip_sample, read_saliency_map, resize_sample, stack_field)

__all__ = [
    'ClassFolderList',
    'ImageFolder', 'find_images', 'read_list_file', 'CropObjectBox', 'VOCObjectCrops',
    'ColorJitterNumpy2', 'shift_hue', 'SaliencyImageFolder', 'FixationDataset',
    'OSIEFixations', 'SceneSaliencyFixations', 'SALICONFixations', 'FixationMapFolder',
    'LoadSaliencyMap',
    'EstimateSaliency', 'FixationsToDensity', 'SaliencyConstrainedRandomResizedCrop',
    'SaliencyResize', 'SaliencyCenterCrop', 'SaliencyRandomFlip', 'SaliencyMultiView',
    'PackSaliencyInputs', 'stack_field', 'align_maps', 'crop_sample', 'resize_sample',
    'flip_sample', 'read_saliency_map', 'index_saliency_maps'
]
