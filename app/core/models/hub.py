"""Matome's use of huggingface_hub: quiet by default, offline outside downloads.

This module owns every contact with the hub client library:
  * configuration: no telemetry, no agent-registry lookup, no Xet (its chunk cache lives in
    ~/.cache/huggingface), and offline mode for the whole process except inside `online()`;
  * the metadata request (HEAD on `/{repo}/resolve/{revision}/{file}`) that yields the file's
    size, SHA-256 (the LFS hash) and commit, honouring HF_ENDPOINT, HF_TOKEN and proxies;
  * opening the byte stream for a download, from a given offset (`Range`);
  * turning the library's and httpx's exceptions into messages a person can act on.

huggingface_hub is imported lazily: listing or loading models never pays for it.
"""

from __future__ import annotations

import os
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator
from urllib.parse import quote, urlsplit

from app.core.errors import ModelError, ModelNotFoundError

USER_AGENT_NAME = "matome"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_TRUE = {"1", "on", "yes", "true"}

#: Switches huggingface_hub reads once, when it is first imported. Set (not merely defaulted:
#: a stray HF_HUB_DISABLE_TELEMETRY=0 in the user's shell must not turn telemetry on) from the
#: moment the model manager is imported — app.core.models imports this module first, and
#: nothing else in the app imports the library — so they hold for the whole process and any
#: child it starts. configure() also sets what the library reads at call time.
PRIVACY_ENVIRONMENT = {
    "HF_HUB_DISABLE_TELEMETRY": "1",     # no usage pings, no agent-registry lookup
    "DO_NOT_TRACK": "1",                 # the same, for any library that honours donottrack.sh
    "HF_HUB_DISABLE_UPDATE_CHECK": "1",  # no "is there a newer version" requests
    "HF_HUB_DISABLE_XET": "1",           # no Xet chunk service (and its cache in ~/.cache)
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",  # never send another tool's saved login
}
os.environ.update(PRIVACY_ENVIRONMENT)

_state_lock = threading.Lock()
_online_count = 0


class TransientHubError(ModelError):
    """A failure worth retrying (network drop, stall, 5xx); `str()` is the final user message."""


class LinkExpiredError(TransientHubError):
    """The CDN refused a signed download link (they expire): ask the hub for a fresh one."""


@dataclass(frozen=True)
class RemoteFile:
    repo_id: str
    filename: str
    revision: str
    commit: str
    #: The LFS SHA-256 the hub publishes for the file (lowercase hex), None if it publishes none.
    sha256: str | None
    size: int | None
    #: Where the bytes come from: the resolve URL or the CDN URL it redirects to.
    download_url: str
    endpoint: str


def endpoint() -> str:
    """The hub to talk to: HF_ENDPOINT (a mirror) when set, else the public hub."""
    return (os.environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/")


def user_wants_offline() -> bool:
    return (os.environ.get("HF_HUB_OFFLINE") or "").strip().lower() in _TRUE


def _token() -> str | bool:
    # Only HF_TOKEN: reading another tool's login file under ~/.cache/huggingface (and the
    # network refresh the library may do for it) is not Matome's business.
    return os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN") or False


def configure() -> Any:
    """Import huggingface_hub with extras off and offline mode on; returns its constants module."""
    from huggingface_hub import constants

    with _state_lock:
        # The library read the environment when first imported (perhaps by someone else), so
        # set the switches it consults at call time as well.
        constants.HF_HUB_DISABLE_TELEMETRY = True
        constants.HF_HUB_DISABLE_XET = True
        constants.HF_HUB_DISABLE_IMPLICIT_TOKEN = True
        if _online_count == 0:
            constants.HF_HUB_OFFLINE = True
    return constants


@contextmanager
def online() -> Iterator[None]:
    """Allow the hub client to use the network for the duration of a download."""
    global _online_count
    if user_wants_offline():
        raise ModelError(
            "Downloads are switched off because HF_HUB_OFFLINE is set. Unset it to download, "
            "or import a .gguf file you already have with `matome models import`."
        )
    constants = configure()
    with _state_lock:
        _online_count += 1
        constants.HF_HUB_OFFLINE = False
    try:
        yield
    finally:
        with _state_lock:
            _online_count -= 1
            if _online_count == 0:
                constants.HF_HUB_OFFLINE = True


def request_headers(*, for_url: str | None = None) -> dict[str, str]:
    from huggingface_hub.utils import build_hf_headers

    from app import __version__

    headers = build_hf_headers(token=_token(), library_name=USER_AGENT_NAME, library_version=__version__)
    headers["Accept-Encoding"] = "identity"  # the byte count must be the file's, not a gzip stream's
    if for_url is not None and _origin(for_url) != _origin(endpoint()):
        # A redirect to a CDN is a signed URL: the token stays with the hub.
        headers.pop("authorization", None)
    return headers


def fetch_remote_file(repo_id: str, filename: str, revision: str, *, timeout: float) -> RemoteFile:
    """HEAD the file on the hub: size, SHA-256, commit and final URL. Must run inside online()."""
    from huggingface_hub import get_hf_file_metadata

    hub = endpoint()
    # Built here rather than with hf_hub_url, whose template froze HF_ENDPOINT at import time.
    url = f"{hub}/{repo_id}/resolve/{quote(revision, safe='')}/{quote(filename)}"
    try:
        meta = get_hf_file_metadata(url, token=_token(), timeout=timeout, headers=request_headers())
    except Exception as exc:  # noqa: BLE001 - translated into a user message below
        raise translate_error(exc, repo_id=repo_id, filename=filename, revision=revision) from exc
    if not meta.commit_hash or not meta.etag:
        raise ModelError(
            f"The server at {hub} answered, but not like a Hugging Face hub (no commit or ETag for "
            f"{repo_id}/{filename}). If HF_ENDPOINT is set, check that it points to a hub mirror; "
            "otherwise a proxy may be rewriting the answer."
        )
    etag = meta.etag.strip('"').lower()
    return RemoteFile(
        repo_id=repo_id,
        filename=filename,
        revision=revision,
        commit=meta.commit_hash,
        sha256=etag if _SHA256.match(etag) else None,
        size=meta.size,
        download_url=meta.location or url,
        endpoint=hub,
    )


@contextmanager
def open_stream(remote: RemoteFile, *, start: int, stall_seconds: float, connect_seconds: float) -> Iterator[Any]:
    """GET the file's bytes from offset `start`. Yields the httpx response (status checked)."""
    import httpx2
    from huggingface_hub import errors as hf_errors
    from huggingface_hub.utils import get_session, hf_raise_for_status

    headers = request_headers(for_url=remote.download_url)
    if start > 0:
        headers["Range"] = f"bytes={start}-"
    timeout = httpx2.Timeout(stall_seconds, connect=connect_seconds)
    try:
        with get_session().stream("GET", remote.download_url, headers=headers, timeout=timeout,
                                  follow_redirects=True) as response:
            if response.status_code in (401, 403) and _origin(remote.download_url) != _origin(remote.endpoint):
                raise LinkExpiredError("The download link expired.")
            if response.status_code != 416:
                hf_raise_for_status(response)
            yield response
    except (httpx2.HTTPError, hf_errors.HfHubHTTPError) as exc:
        # Network failures while connecting or while the caller reads the body; anything else
        # (a pause, a full disk) passes through untouched.
        raise translate_error(exc, repo_id=remote.repo_id, filename=remote.filename,
                              revision=remote.revision, stall_seconds=stall_seconds) from exc


def translate_error(exc: BaseException, *, repo_id: str, filename: str, revision: str = "main",
                    stall_seconds: float | None = None) -> ModelError:
    """A ModelError (TransientHubError when retrying may help) that says what to do."""
    import httpx2
    from huggingface_hub import errors as hf_errors

    host = urlsplit(endpoint()).netloc
    if isinstance(exc, ModelError):
        return exc
    if isinstance(exc, hf_errors.GatedRepoError):
        return ModelError(
            f"{repo_id} is gated: open its page on the hub, accept the licence, then set HF_TOKEN "
            "to an access token of that account and try again."
        )
    if isinstance(exc, hf_errors.RepositoryNotFoundError):
        return ModelNotFoundError(
            f"The hub has no model repository '{repo_id}' (or it is private). Check the name; "
            "for a private repository set HF_TOKEN to an access token that can read it."
        )
    if isinstance(exc, hf_errors.RevisionNotFoundError):
        return ModelNotFoundError(f"{repo_id} has no branch or revision '{revision}'.")
    if isinstance(exc, hf_errors.RemoteEntryNotFoundError):
        return ModelNotFoundError(
            f"{repo_id} has no file '{filename}'. Check the file name on the repository's "
            "'Files' page; it is case-sensitive."
        )
    if isinstance(exc, hf_errors.HfHubHTTPError) and exc.response is not None:
        status = exc.response.status_code
        if status in (401, 403):
            return ModelError(
                f"{host} refused access to {repo_id}/{filename} ({status}). If the model needs an "
                "account, set HF_TOKEN to an access token; a company proxy may also be blocking it."
            )
        if status in (408, 429) or status >= 500:
            return TransientHubError(f"{host} is having trouble (HTTP {status}). Try again in a few minutes.")
        return ModelError(f"{host} answered HTTP {status} for {repo_id}/{filename}.")
    if isinstance(exc, httpx2.ProxyError):
        return TransientHubError(
            f"The proxy refused the connection to {host} ({exc}). Check HTTPS_PROXY or the system proxy settings."
        )
    if isinstance(exc, httpx2.ConnectTimeout):
        return TransientHubError(f"{host} did not answer. Check the network connection or the proxy settings.")
    if isinstance(exc, httpx2.ReadTimeout) and stall_seconds is not None:
        return TransientHubError(f"The download stalled: no data arrived for {stall_seconds:g} seconds.")
    if isinstance(exc, httpx2.TimeoutException):
        return TransientHubError(f"{host} took too long to answer. The network may be slow or blocked.")
    if isinstance(exc, httpx2.ConnectError):
        return TransientHubError(
            f"Cannot connect to {host} ({exc}). Check the network connection, HTTPS_PROXY or the "
            "system proxy, or set HF_ENDPOINT to a hub mirror your network allows."
        )
    if isinstance(exc, (httpx2.RemoteProtocolError, httpx2.ReadError, httpx2.WriteError, httpx2.NetworkError)):
        return TransientHubError(f"The connection to {host} dropped.")
    return ModelError(f"Downloading {repo_id}/{filename} failed: {exc}")


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port
