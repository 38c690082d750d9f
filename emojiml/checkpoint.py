"""The one way every model is saved and loaded: ``NAME.safetensors`` (tensors) + ``NAME.json`` (config). Never pickle.

Every family (text classifiers, the content model's parts, GAN/VAE/judge) goes through these functions, so each
gets the same guarantees: writes are atomic (a reader never sees half a file), a load checks that every tensor is
present with the expected shape, and a missing, truncated, corrupt or foreign file raises one
:class:`CheckpointError` whose message names the file and says what to do, instead of a raw library error.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any, Literal, Self, TypeVar

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.numpy import load_file as load_numpy_file
from safetensors.numpy import save_file as save_numpy_file
from safetensors.torch import load_file as load_torch_file
from safetensors.torch import save_file as save_torch_file
from torch import nn

from emojiml.errors import EmojimlError

Config = TypeVar("Config")
RESTORE = "restore it from git (`git checkout -- emojiml/assets`) or retrain it"


class CheckpointError(EmojimlError, RuntimeError):
    """A checkpoint is missing, corrupt or does not match its config; the message names the file."""


class JsonConfig:
    """Mixin for a model's frozen config dataclass: to and from the JSON stored beside its weights.

    Unknown keys are ignored (a newer file still loads) and JSON lists become tuples (configs stay hashable).
    """

    @classmethod
    def from_dict(cls, data: dict) -> Self:
        known = {f.name for f in fields(cls)}
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in known})

    def to_dict(self) -> dict:
        return asdict(self)


def _replace_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """``write`` a temporary file beside ``path``, then rename it over ``path`` (atomic on one file system)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(temporary)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


def write_json(path: Path, data: Any, **dump_options: Any) -> None:
    """``data`` as JSON at ``path``, written atomically (``dump_options`` go to ``json.dumps``)."""
    text = json.dumps(data, **{"indent": 2, "ensure_ascii": False, **dump_options}) + "\n"
    _replace_atomically(Path(path), lambda tmp: tmp.write_text(text, encoding="utf-8"))


def read_json(path: Path) -> dict:
    """The JSON object at ``path``; :class:`CheckpointError` naming the file when missing, unreadable or not one."""
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"{path} is missing: {RESTORE}.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        raise CheckpointError(f"{path} is not valid JSON ({error}); {RESTORE}.") from error
    if not isinstance(data, dict):
        raise CheckpointError(f"{path} does not hold a JSON object; {RESTORE}.")
    return data


def save_tensors(tensors: Mapping[str, torch.Tensor | np.ndarray], path: Path) -> None:
    """``tensors`` (all torch or all numpy) to ``path`` (a .safetensors file), atomically."""
    path = Path(path)
    if all(isinstance(value, np.ndarray) for value in tensors.values()):
        arrays = {name: np.ascontiguousarray(value) for name, value in tensors.items()}
        _replace_atomically(path, lambda tmp: save_numpy_file(arrays, str(tmp)))
    else:
        flat = {name: value.detach().contiguous().cpu() for name, value in tensors.items()}
        _replace_atomically(path, lambda tmp: save_torch_file(flat, str(tmp)))


def read_tensors(path: Path, framework: Literal["torch", "numpy"] = "torch", required: tuple[str, ...] = ()) -> dict:
    """Every tensor in ``path`` (a .safetensors file); :class:`CheckpointError` naming the file when it is
    missing, truncated or corrupt, or lacks one of the ``required`` names."""
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"{path} is missing: {RESTORE}.")
    try:
        tensors = (load_torch_file if framework == "torch" else load_numpy_file)(str(path))
    except (SafetensorError, OSError, ValueError, RuntimeError) as error:
        raise CheckpointError(f"{path} is not a readable safetensors file ({error}); {RESTORE}.") from error
    missing = [name for name in required if name not in tensors]
    if missing:
        raise CheckpointError(f"{path} lacks the tensor(s) {', '.join(missing)}; {RESTORE}.")
    return tensors


def check_shape(path: Path, name: str, array: torch.Tensor | np.ndarray, shape: tuple[int, ...]) -> None:
    """:class:`CheckpointError` naming ``path`` when tensor ``name`` does not have ``shape``."""
    if tuple(array.shape) != tuple(shape):
        raise CheckpointError(
            f"{path} does not match its config (tensor {name} has shape {tuple(array.shape)}, expected "
            f"{tuple(shape)}); {RESTORE}."
        )


def save_model(model: nn.Module, config: dict, path: Path, dtype: torch.dtype | None = None) -> None:
    """``model``'s state as ``path.safetensors`` and ``config`` as ``path.json``, both atomically.

    ``dtype`` (e.g. ``torch.float16``) stores floating tensors smaller; a load casts them back to the model's.
    """
    path = Path(path)
    tensors = {
        name: value.to(dtype) if dtype is not None and value.is_floating_point() else value
        for name, value in model.state_dict().items()
    }
    save_tensors(tensors, path.with_suffix(".safetensors"))
    write_json(path.with_suffix(".json"), config)


def read_config(path: Path) -> dict:
    """The JSON config saved beside the weights at ``path`` (``path.json``)."""
    return read_json(Path(path).with_suffix(".json"))


def build_config(config_type: type[Config], data: Any, path: Path) -> Config:
    """``config_type(**data)``; :class:`CheckpointError` naming ``path`` when the JSON does not fit the config."""
    try:
        if issubclass(config_type, JsonConfig):
            return config_type.from_dict(data)
        return config_type(**data)
    except (KeyError, TypeError, ValueError) as error:
        raise CheckpointError(f"{path} has an invalid config ({error}); {RESTORE}.") from error


def load_weights(model: nn.Module, path: Path) -> nn.Module:
    """Fill ``model`` from ``path.safetensors``; every tensor must exist with the expected shape.

    Stored dtypes may differ (float16 files fill float32 models): ``load_state_dict`` copies with a cast.
    """
    weights = Path(path).with_suffix(".safetensors")
    tensors = read_tensors(weights)
    expected = model.state_dict()
    missing = sorted(set(expected) - set(tensors))
    if missing:
        raise CheckpointError(f"{weights} does not match its config ({len(missing)} missing tensors); {RESTORE}.")
    for name, value in expected.items():
        check_shape(weights, name, tensors[name], tuple(value.shape))
    model.load_state_dict({k: tensors[k] for k in expected}, strict=True)
    return model.eval()


def load_checkpoint(
    path: Path, kind: str, config_type: type[JsonConfig], build: Callable, native_size: int | None = None
) -> nn.Module:
    """The ``kind`` model saved at ``path`` (.safetensors + .json), built by ``build(config)`` and filled;
    :class:`CheckpointError` when the files are missing, of another kind, of another native resolution than
    ``native_size`` (the image models' config ``size``), or do not match. Weights load on the CPU wherever
    they were trained (``save_tensors`` writes CPU tensors)."""
    meta = read_config(path)
    config_file = Path(path).with_suffix(".json")
    if meta.get("kind") != kind:
        raise CheckpointError(f"{config_file} is not a {kind} checkpoint (kind={meta.get('kind')}).")
    if not isinstance(meta.get("config"), dict):
        raise CheckpointError(f"{config_file} has no config object; {RESTORE}.")
    size = meta["config"].get("size")
    if native_size is not None and size != native_size:
        raise CheckpointError(
            f"{config_file} is a {size} px {kind} model; this version draws at {native_size} px and upscales to "
            f"128 px: retrain it with `emojiml train {kind} --size {native_size}` or restore the shipped files."
        )
    try:
        model = build(build_config(config_type, meta["config"], config_file))
    except (TypeError, ValueError) as error:  # a config the architecture cannot be built from
        raise CheckpointError(f"{config_file} has an invalid config ({error}); {RESTORE}.") from error
    load_weights(model, path)
    model.meta = meta
    return model


def save_optimizer(optimizer: torch.optim.Optimizer, prefix: str) -> tuple[dict[str, torch.Tensor], dict]:
    """An optimizer's state as flat tensors + JSON-able settings (so --resume needs no pickle)."""
    state = optimizer.state_dict()
    tensors: dict[str, torch.Tensor] = {}
    scalars: dict[str, dict] = {}
    for index, entry in state["state"].items():
        for key, value in entry.items():
            if torch.is_tensor(value):
                tensors[f"{prefix}.{index}.{key}"] = value.detach().clone().contiguous()
            else:
                scalars.setdefault(str(index), {})[key] = value
    return tensors, {"param_groups": state["param_groups"], "scalars": scalars}


def load_optimizer(optimizer: torch.optim.Optimizer, prefix: str, tensors: dict, meta: dict) -> None:
    """Restore what :func:`save_optimizer` stored under ``prefix``."""
    state: dict[int, dict] = {}
    for name, value in tensors.items():
        if name.startswith(prefix + "."):
            _, index, key = name.rsplit(".", 2)
            state.setdefault(int(index), {})[key] = value
    for index, values in meta["scalars"].items():
        state.setdefault(int(index), {}).update(values)
    optimizer.load_state_dict({"state": state, "param_groups": meta["param_groups"]})
