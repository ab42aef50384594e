"""Result tables: CSV files and Markdown."""
import csv
import math
import os
import os.path as osp
from typing import Sequence

Table = Sequence[Sequence]


def prepare_output(path: str) -> str:
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    return path


def write_csv(path: str, header: Sequence[str], rows: Table) -> str:
    """Write rows under a header to a CSV file (folders are created). Returns ``path``."""
    with open(prepare_output(path), 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _cell(value, digits: int) -> str:
    if isinstance(value, float):
        return 'n/a' if math.isnan(value) else f'{value:.{digits}f}'
    return str(value)


def markdown_table(header: Sequence[str], rows: Table, digits: int = 1) -> str:
    """A GitHub Markdown table; floats with ``digits`` decimals, NaN as ``n/a``."""
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
    lines += ['| ' + ' | '.join(_cell(v, digits) for v in row) + ' |' for row in rows]
    return '\n'.join(lines) + '\n'
