"""Downloading a model from the hub: once, resumably, and verified before it counts.

The steps, each with its own failure message:
  1. Already installed (same repo and file, whole size)? Return it without any request.
  2. HEAD the file on the hub (via huggingface_hub) for its size and LFS SHA-256.
  3. Refuse if the disk cannot hold what is left to fetch plus a margin.
  4. Stream the bytes into `<models>/.partial/<sha256>.part`, appending to what an earlier,
     interrupted attempt left (a `Range` request). A dropped or stalled connection (no bytes
     for `stall_seconds`) is retried with exponential back-off; each retry resumes.
  5. Hash the whole file; a mismatch with the hub's SHA-256 deletes it and says so.
  6. Check it is a whole GGUF, move it atomically to `<models>/<owner>--<repo>/<file>` and
     record it. Only now is it installed.

Why not `hf_hub_download`: in huggingface_hub 2.4 it downloads to a uniquely named temporary
file and deletes it on any failure, so a download that is paused, crashes or loses the network
starts again from zero; it also never checks the SHA-256. Its metadata call, session (proxies,
token, headers) and error types are used as they are.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, TypeVar
from urllib.parse import urlsplit

from app.core.errors import Cancelled, ModelError, ModelLoadError
from app.core.models import fileops, hub
from app.core.models.catalog import CatalogEntry, load_catalog
from app.core.models.fileops import format_bytes
from app.core.models.isolation import check_model_file
from app.core.models.progress import (
    CONNECTING, DONE, DOWNLOADING, RETRYING, ProgressCallback, RateMeter, TransferControl,
)
from app.core.models.registry import (
    DOWNLOADED, PARTIAL_DIR, InstalledModel, model_from_record, models_root, read_records, record_model, slug,
)

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    #: A connection that delivers no bytes for this long counts as stalled.
    stall_seconds: float = 30.0
    connect_seconds: float = 20.0
    #: Retries after consecutive failures that made no progress; progress resets the count.
    max_retries: int = 5
    backoff_seconds: float = 2.0
    backoff_max_seconds: float = 60.0

    def backoff(self, failures: int) -> float:
        return min(self.backoff_max_seconds, self.backoff_seconds * 2 ** (failures - 1))


def download_catalog_model(model: str | CatalogEntry, **options: Any) -> InstalledModel:
    """Download a catalog model by id (see download_model for the options)."""
    entry = model if isinstance(model, CatalogEntry) else load_catalog().get(model)
    return download_model(entry.repo_id, entry.filename, revision=entry.revision, catalog_entry=entry, **options)


def download_model(
    repo_id: str,
    filename: str,
    *,
    revision: str = "main",
    models_dir: str | Path | None = None,
    settings: Any = None,
    catalog_entry: CatalogEntry | None = None,
    on_progress: ProgressCallback | None = None,
    control: TransferControl | None = None,
    policy: RetryPolicy = RetryPolicy(),
) -> InstalledModel:
    """Download `filename` from hub repo `repo_id`, verify it and install it.

    Progress events go to `on_progress` (on this thread). `control.pause()` stops and keeps the
    partial file for the next attempt; `control.cancel()` stops and deletes it; both raise
    Cancelled. Network and verification failures raise ModelError with a message for the user.
    """
    _check_names(repo_id, filename)
    root = models_root(models_dir, settings)
    installed = find_downloaded(root, repo_id, filename)
    if installed is not None:
        return installed
    control = control or TransferControl()
    meter = RateMeter(on_progress)
    entry = catalog_entry or _catalog_match(repo_id, filename)

    with hub.online():
        meter.update(CONNECTING, 0, None, force=True, message=f"Looking up {filename} on {hub.endpoint()}")
        remote = _retrying(
            lambda: hub.fetch_remote_file(repo_id, filename, revision, timeout=policy.connect_seconds),
            policy, control, meter, lambda: 0, None,
        )
    if remote.sha256 is None:
        raise ModelError(
            f"The hub publishes no SHA-256 checksum for {repo_id}/{filename}, so Matome cannot verify "
            "it and will not install it. Model files stored with Git LFS (as GGUF models are) have one."
        )

    from filelock import FileLock, Timeout

    partial_dir = root / PARTIAL_DIR
    partial_dir.mkdir(parents=True, exist_ok=True)
    partial = partial_dir / f"{remote.sha256}.part"
    lock = FileLock(str(partial) + ".lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise ModelError(f"{filename} is already being downloaded by another Matome window.") from None
    try:
        _forget_other_partials(partial_dir, remote)
        have = _usable_partial(partial, remote.size)
        expected = remote.size or (entry.size_bytes if entry else 0)
        fileops.ensure_free_space(root, max(expected - have, 0), filename)
        source = _Source(remote)
        with hub.online():
            _retrying(lambda: _fetch_once(source, partial, policy, control, meter), policy, control, meter,
                      lambda: _size(partial), remote.size)
        return _verify_and_install(root, source.remote, partial, entry, meter, control)
    except Cancelled:
        kept = _size(partial)
        if not control.keep_partial:
            partial.unlink(missing_ok=True)
            raise Cancelled(f"Download of {filename} cancelled.") from None
        raise Cancelled(
            f"Download of {filename} paused with {format_bytes(kept)} of {format_bytes(remote.size)} kept; "
            "download it again to resume."
        ) from None
    finally:
        lock.release()


@dataclass(frozen=True)
class PartialDownload:
    """A download that was paused or interrupted; downloading the same file again resumes it."""

    repo_id: str
    filename: str
    bytes_done: int
    size: int | None
    path: Path


def partial_downloads(models_dir: str | Path | None = None, *, settings: Any = None) -> list[PartialDownload]:
    folder = models_root(models_dir, settings) / PARTIAL_DIR
    found = []
    for sidecar in sorted(folder.glob("*.json")) if folder.is_dir() else ():
        partial = sidecar.with_suffix(".part")
        try:
            data = json.loads(sidecar.read_text(encoding="utf-8"))
            found.append(PartialDownload(str(data["repo_id"]), str(data["filename"]), partial.stat().st_size,
                                         data.get("size"), partial))
        except (OSError, ValueError, KeyError):
            continue
    return found


def discard_partial_download(partial: PartialDownload) -> None:
    partial.path.unlink(missing_ok=True)
    _sidecar(partial.path).unlink(missing_ok=True)


def find_downloaded(root: Path, repo_id: str, filename: str) -> InstalledModel | None:
    """The installed, whole copy of repo_id/filename, if there is one (no network)."""
    for model_id, record in read_records(root).items():
        if (record.get("source") == DOWNLOADED and str(record.get("repo_id", "")).lower() == repo_id.lower()
                and Path(str(record.get("path", ""))).name == filename):
            model = model_from_record(root, model_id, record)
            if model is not None and model.size_bytes == record.get("size_bytes"):
                return model
    return None


def _retrying(action: Callable[[], T], policy: RetryPolicy, control: TransferControl, meter: RateMeter,
              progress: Callable[[], int], total: int | None) -> T:
    """Run `action`, retrying TransientHubError with back-off; progress since the last failure
    resets the count, so only a connection that keeps failing without delivering gives up."""
    failures, attempt = 0, 1
    while True:
        control.check()
        before = progress()
        try:
            return action()
        except hub.TransientHubError as exc:
            failures = 1 if progress() > before else failures + 1
            if failures > policy.max_retries:
                kept = progress()
                tail = (f" The {format_bytes(kept)} downloaded so far are kept; download again to resume."
                        if kept else "")
                gave_up = f" Gave up after {policy.max_retries} retries." if policy.max_retries else ""
                raise ModelError(f"{exc}{gave_up}{tail}") from exc
            wait = policy.backoff(failures)
            attempt += 1
            meter.update(RETRYING, progress(), total, attempt=attempt, force=True,
                         message=f"{exc} Retrying in {wait:.3g} s.")
            control.sleep(wait)


@dataclass
class _Source:
    """Where the bytes come from; replaced when the hub hands out a fresh signed link."""

    remote: hub.RemoteFile


def _fetch_once(source: _Source, partial: Path, policy: RetryPolicy, control: TransferControl,
                meter: RateMeter) -> None:
    """One GET from where the partial file ends to the end of the file."""
    try:
        _stream_into(source.remote, partial, policy, control, meter)
    except hub.LinkExpiredError:
        old = source.remote
        fresh = hub.fetch_remote_file(old.repo_id, old.filename, old.revision, timeout=policy.connect_seconds)
        if fresh.sha256 != old.sha256:
            raise ModelError(
                f"{old.filename} changed on the hub during the download. Download it again to get the new version."
            ) from None
        source.remote = fresh
        try:
            _stream_into(fresh, partial, policy, control, meter)
        except hub.LinkExpiredError:
            host = urlsplit(fresh.download_url).hostname
            raise ModelError(
                f"{host} refused the download even with a fresh link from the hub. A proxy or firewall "
                "may be blocking that address: ask your IT department to allow it, or set HF_ENDPOINT "
                "to a hub mirror your network allows."
            ) from None


def _stream_into(remote: hub.RemoteFile, partial: Path, policy: RetryPolicy, control: TransferControl,
                 meter: RateMeter) -> None:
    start = _size(partial)
    if remote.size is not None and start == remote.size:
        return
    with hub.open_stream(remote, start=start, stall_seconds=policy.stall_seconds,
                         connect_seconds=policy.connect_seconds) as response:
        if response.status_code == 416:  # the server cannot resume from here: start over
            partial.unlink(missing_ok=True)
            raise hub.TransientHubError("The server could not resume the download.")
        if start and response.status_code == 200:
            start = 0  # the server ignored Range and sends the whole file
        elif start and not _content_range_starts_at(response, start):
            partial.unlink(missing_ok=True)
            raise hub.TransientHubError("The server resumed the download at the wrong place.")
        total = remote.size or _total_from_response(response, start)
        done = start
        meter.reset_rate()
        try:
            with open(partial, "ab" if start else "wb") as out:
                for chunk in response.iter_bytes():
                    out.write(chunk)
                    done += len(chunk)
                    if total is not None and done > total:
                        out.close()
                        partial.unlink(missing_ok=True)
                        raise ModelError(
                            f"The server sent more of {remote.filename} than the hub announced "
                            f"({format_bytes(total)}). The download was discarded; try again later."
                        )
                    meter.update(DOWNLOADING, done, total)
                    control.check()  # after the write, so received bytes are kept on pause
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:  # a full disk, a folder gone read-only
            raise ModelError(f"Cannot write the download to {partial.parent}: {exc.strerror or exc}.") from exc
    meter.update(DOWNLOADING, done, total, force=True)
    if total is not None and done < total:
        raise hub.TransientHubError(f"The connection closed early, at {format_bytes(done)} of {format_bytes(total)}.")


def _verify_and_install(root: Path, remote: hub.RemoteFile, partial: Path, entry: CatalogEntry | None,
                        meter: RateMeter, control: TransferControl) -> InstalledModel:
    actual = fileops.hash_file(partial, meter=meter, control=control)
    if actual != remote.sha256:
        partial.unlink(missing_ok=True)
        raise ModelError(
            f"The downloaded {remote.filename} failed its integrity check: its SHA-256 is {actual[:16]}…, "
            f"but the hub says it should be {remote.sha256[:16]}…. The file was deleted and nothing was "
            "installed. Try again; if it keeps happening, something between you and the hub (a proxy or "
            "security software) is altering downloads."
        )
    try:
        info = check_model_file(partial).info  # in a child process: the bytes are a stranger's
    except ModelLoadError as exc:
        partial.unlink(missing_ok=True)
        raise ModelLoadError(
            f"{remote.repo_id}/{remote.filename} matches the hub's checksum but is not a model Matome can "
            f"run ({exc}). It was deleted."
        ) from None
    final = root / remote.repo_id.replace("/", "--") / remote.filename
    final.parent.mkdir(parents=True, exist_ok=True)
    fileops.fsync_path(partial)
    os.replace(partial, final)
    _sidecar(partial).unlink(missing_ok=True)
    model = InstalledModel(
        id=entry.id if entry else slug(Path(remote.filename).stem),
        name=entry.name if entry else (info.name or Path(remote.filename).stem),
        path=final,
        size_bytes=final.stat().st_size,
        source=DOWNLOADED,
        catalog_id=entry.id if entry else None,
        repo_id=remote.repo_id,
        revision=remote.commit,
        sha256=actual,
        details=info.summary(),
    )
    model = record_model(root, model)
    meter.update(DONE, model.size_bytes, model.size_bytes, force=True, message=f"Installed {model.name}.")
    return model


def _check_names(repo_id: str, filename: str) -> None:
    parts = repo_id.split("/")
    if len(parts) != 2 or not all(parts) or any(p in (".", "..") for p in parts):
        raise ModelError(f"'{repo_id}' is not a hub repository name; it looks like owner/name.")
    if not filename.lower().endswith(".gguf") or "\\" in filename or ".." in filename.split("/"):
        raise ModelError(f"'{filename}' is not a GGUF file name; Matome runs .gguf models.")


def _catalog_match(repo_id: str, filename: str) -> CatalogEntry | None:
    try:
        return load_catalog().find_file(repo_id, filename)
    except ModelError:
        return None  # a broken catalog must not block downloading by repo and file name


def _usable_partial(partial: Path, size: int | None) -> int:
    have = _size(partial)
    if size is not None and have > size:
        partial.unlink()  # longer than the file can be: not ours to resume
        return 0
    return have


def _forget_other_partials(partial_dir: Path, remote: hub.RemoteFile) -> None:
    """Drop partial downloads of an older version of the same file; note what this one is."""
    for sidecar in partial_dir.glob("*.json"):
        try:
            data = json.loads(sidecar.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        same_file = data.get("repo_id") == remote.repo_id and data.get("filename") == remote.filename
        if same_file and data.get("sha256") != remote.sha256:
            (partial_dir / f"{data.get('sha256')}.part").unlink(missing_ok=True)
            sidecar.unlink(missing_ok=True)
    _sidecar(partial_dir / f"{remote.sha256}.part").write_text(json.dumps({
        "repo_id": remote.repo_id, "filename": remote.filename, "sha256": remote.sha256,
        "size": remote.size, "commit": remote.commit,
    }), encoding="utf-8")


def _sidecar(partial: Path) -> Path:
    return partial.with_suffix(".json")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _content_range_starts_at(response: Any, start: int) -> bool:
    value = response.headers.get("Content-Range", "")
    try:
        return response.status_code == 206 and int(value.split()[1].split("-")[0]) == start
    except (IndexError, ValueError):
        return False


def _total_from_response(response: Any, start: int) -> int | None:
    content_range = response.headers.get("Content-Range", "")
    if "/" in content_range and content_range.rsplit("/", 1)[1].isdigit():
        return int(content_range.rsplit("/", 1)[1])
    length = response.headers.get("Content-Length")
    return start + int(length) if length and length.isdigit() else None
