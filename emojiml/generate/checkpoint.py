"""Save and load a model as ``NAME.safetensors`` + ``NAME.json`` (config and training facts). Never pickle.

A load checks the JSON config, builds the model from it and then requires every tensor to be present with
the right shape, so a corrupt, truncated or foreign file fails with a message instead of a half-loaded model.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path
from typing import Self

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from emojiml.errors import EmojimlError


class CheckpointError(EmojimlError, RuntimeError):
    """A checkpoint is missing, corrupt or does not match its config; the message says what to do."""


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


def save_model(model: nn.Module, config: dict, path: Path) -> None:
    """Write ``path.safetensors`` and ``path.json`` atomically (a reader never sees half a file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().contiguous().cpu() for k, v in model.state_dict().items()}
    weights = path.with_suffix(".safetensors")
    tmp = weights.with_suffix(".tmp")
    save_file(tensors, str(tmp))
    tmp.replace(weights)
    meta = path.with_suffix(".json")
    tmp = meta.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(config, indent=2, ensure_ascii=False))
    tmp.replace(meta)


def read_config(path: Path) -> dict:
    meta = Path(path).with_suffix(".json")
    if not meta.exists():
        raise CheckpointError(f"{meta} is missing: train the model with `emojiml train ...` or restore the file.")
    try:
        return json.loads(meta.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CheckpointError(f"{meta} is not valid JSON ({error}); restore it from git.") from error


def load_weights(model: nn.Module, path: Path) -> nn.Module:
    """Fill ``model`` from ``path.safetensors``; every tensor must exist with the expected shape."""
    weights = Path(path).with_suffix(".safetensors")
    if not weights.exists():
        raise CheckpointError(f"{weights} is missing: train the model with `emojiml train ...` or restore it.")
    try:
        tensors = load_file(str(weights))
    except (SafetensorError, OSError, ValueError) as error:
        raise CheckpointError(
            f"{weights} is not a readable safetensors file ({error}); restore it from git."
        ) from error
    expected = model.state_dict()
    missing = sorted(set(expected) - set(tensors))
    wrong = [k for k in expected if k in tensors and tensors[k].shape != expected[k].shape]
    if missing or wrong:
        detail = f"{len(missing)} missing tensors" if missing else f"wrong shape for {wrong[0]}"
        raise CheckpointError(f"{weights} does not match its config ({detail}); retrain or restore both files.")
    model.load_state_dict({k: tensors[k] for k in expected}, strict=True)
    return model.eval()


def load_checkpoint(
    path: Path, kind: str, config_type: type[JsonConfig], build, native_size: int | None = None
) -> nn.Module:
    """The ``kind`` model saved at ``path`` (.safetensors + .json), built by ``build(config)`` and filled;
    :class:`CheckpointError` when the files are missing, of another kind, of another native resolution than
    ``native_size`` (the 32 px models of the first release), or do not match. Weights always load on the CPU,
    wherever they were trained (a CUDA run saves CPU tensors; ``load_file`` maps to the CPU)."""
    meta = read_config(path)
    config_file = Path(path).with_suffix(".json")
    if meta.get("kind") != kind:
        raise CheckpointError(f"{config_file} is not a {kind} checkpoint (kind={meta.get('kind')}).")
    size = meta.get("config", {}).get("size") if isinstance(meta.get("config"), dict) else None
    if native_size is not None and size != native_size:
        raise CheckpointError(
            f"{config_file} is a {size} px {kind} model; this version draws at {native_size} px and upscales to "
            f"128 px: retrain it with `emojiml train {kind} --size {native_size}` or restore the shipped files."
        )
    try:
        model = build(config_type.from_dict(meta["config"]))
    except (KeyError, TypeError, ValueError) as error:
        raise CheckpointError(f"{config_file} has an invalid config ({error}).") from error
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
    state: dict[int, dict] = {}
    for name, value in tensors.items():
        if name.startswith(prefix + "."):
            _, index, key = name.rsplit(".", 2)
            state.setdefault(int(index), {})[key] = value
    for index, values in meta["scalars"].items():
        state.setdefault(int(index), {}).update(values)
    optimizer.load_state_dict({"state": state, "param_groups": meta["param_groups"]})
