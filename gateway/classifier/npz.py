"""The file format of the gateway's learned models: a JSON header and named arrays in one
``.npz``, written so that the same model gives the same bytes.

The topic model (:mod:`gateway.classifier.model`) and the intent model
(:mod:`gateway.understanding.intent_model`) are both stored this way; each says which
arrays it holds and checks its own header.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt


class ArrayFileError(ValueError):
    """The file is missing, not an ``.npz``, or lacks its header or an array."""


def write_arrays(
    path: Path, header: Mapping[str, Any], arrays: Mapping[str, npt.NDArray[Any]]
) -> None:
    """``header`` (as sorted JSON) and ``arrays`` in ``path``; the bytes depend on nothing
    else (fixed zip dates, order and permissions)."""
    text = json.dumps(dict(header), ensure_ascii=False, sort_keys=True)
    named = {"meta": np.frombuffer(text.encode("utf-8"), dtype=np.uint8), **arrays}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(named):
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            content = io.BytesIO()
            np.lib.format.write_array(content, named[name], allow_pickle=False)
            archive.writestr(info, content.getvalue(), compresslevel=9)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def read_arrays(
    path: Path, names: Iterable[str]
) -> tuple[dict[str, Any], dict[str, npt.NDArray[Any]]]:
    """The header and the arrays ``names`` of the file at ``path``."""
    try:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(bytes(data["meta"]).decode("utf-8"))
            arrays = {name: np.array(data[name]) for name in names}
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ArrayFileError(str(exc)) from None
    return header, arrays
