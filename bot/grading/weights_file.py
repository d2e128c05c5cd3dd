"""Small trained models' weights as .npz files that name the features they were trained on.

A model loaded against a different feature list would silently mix up its inputs, so loading checks the names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np


def save_arrays(
    path: Path, features: Sequence[str], arrays: Mapping[str, np.ndarray], dtype: type, meta: Mapping[str, str]
) -> None:
    np.savez_compressed(path, features=np.array(features), **{n: a.astype(dtype) for n, a in arrays.items()},
                        **{k: np.array(v) for k, v in meta.items()})


def load_arrays(path: Path, features: Sequence[str], names: Sequence[str], dtype: type) -> list[np.ndarray]:
    with np.load(path, allow_pickle=False) as data:
        trained_on = tuple(str(n) for n in data["features"])
        if trained_on != tuple(features):
            raise ValueError(f"{path} was trained on other features: {trained_on}")
        return [data[n].astype(dtype) for n in names]
