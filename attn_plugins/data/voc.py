"""Pascal VOC annotation files and split lists: one reader for every dataset that needs them."""
import csv
import os.path as osp
import xml.etree.ElementTree as ET
from typing import Dict, List

from mmengine.logging import MMLogger


def parse_voc_annotation(xml_path: str) -> Dict[str, object]:
    """Read a Pascal VOC XML annotation.

    Boxes are converted from VOC's 1-based inclusive pixel indices to continuous
    coordinates with 0 at the image's left / top edge: ``[xmin - 1, ymin - 1, xmax, ymax]``.
    Zero-area boxes (annotation slips) are skipped with a warning that names the file.

    Args:
        xml_path (str): Path of the annotation file.

    Returns:
        dict: ``width`` and ``height`` (int, or None when ``<size>`` is missing) and
        ``objects``, a list in file order of ``dict(name=str, bbox=[x1, y1, x2, y2],
        difficult=bool)``.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If it is not valid XML or an object lacks a name or numeric box.
    """
    if not osp.isfile(xml_path):
        raise FileNotFoundError(f'Annotation file {xml_path} not found (listed in the split)')
    try:
        root = ET.parse(xml_path).getroot()
    except ET.ParseError as err:
        raise ValueError(f'{xml_path} is not valid XML: {err}') from err
    size = root.find('size')
    width = height = None
    if size is not None:
        try:
            width, height = int(float(size.findtext('width'))), int(float(size.findtext('height')))
        except (TypeError, ValueError) as err:
            raise ValueError(f'{xml_path}: <size> needs numeric width and height') from err
    objects: List[dict] = []
    for obj in root.iter('object'):
        name = obj.findtext('name')
        bndbox = obj.find('bndbox')
        if name is None or bndbox is None:
            raise ValueError(f'{xml_path}: an <object> lacks <name> or <bndbox>')
        name = name.strip()
        try:
            xmin, ymin, xmax, ymax = (float(bndbox.findtext(key))
                                      for key in ('xmin', 'ymin', 'xmax', 'ymax'))
        except (TypeError, ValueError) as err:
            raise ValueError(f'{xml_path}: box of {name!r} needs numeric '
                             'xmin, ymin, xmax, ymax') from err
        if xmax <= xmin or ymax <= ymin:
            MMLogger.get_current_instance().warning(
                f'{xml_path}: skipping empty box of {name!r} ({xmin}, {ymin}, {xmax}, {ymax})')
            continue
        difficult = (obj.findtext('difficult') or '0').strip() not in ('0', '')
        objects.append(dict(name=name, bbox=[xmin - 1, ymin - 1, xmax, ymax],
                            difficult=difficult))
    return dict(width=width, height=height, objects=objects)


def read_split(split_file: str) -> List[str]:
    """Image file names of a split, in split order.

    Args:
        split_file (str): A VOC list file (one image id per line; the image is
            ``<id>.jpg``) or a ``.csv`` file with a ``filename`` column (one row per box, as
            in the raccoon set; each file is taken once, in order of first appearance).

    Returns:
        list[str]: File names relative to the image folder, e.g. ``'raccoon-1.jpg'``.

    Raises:
        FileNotFoundError: If ``split_file`` does not exist.
        ValueError: If a CSV file has no ``filename`` column.
    """
    if not osp.isfile(split_file):
        raise FileNotFoundError(
            f'Split file {split_file} not found: set data_root to the dataset folder and '
            'the split to a list or CSV file relative to it')
    if split_file.lower().endswith('.csv'):
        with open(split_file, newline='') as f:
            reader = csv.DictReader(f)
            if 'filename' not in (reader.fieldnames or []):
                raise ValueError(f'{split_file} has no "filename" column (columns: '
                                 f'{reader.fieldnames}); the CSV split needs one')
            names = [row['filename'].strip() for row in reader]
        return list(dict.fromkeys(name for name in names if name))
    with open(split_file) as f:
        return [f'{line.strip()}.jpg' for line in f if line.strip()]
