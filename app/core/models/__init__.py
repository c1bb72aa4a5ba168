"""The model manager: catalog, hardware fit, installed models, downloads, GGUF metadata.

Import from here; the submodules are implementation detail:

    from app.core.models import list_installed, download_catalog_model, resolve_model
"""

# First: hub sets the environment that keeps huggingface_hub quiet before anything imports it.
from app.core.models import hub  # noqa: F401,I001
from app.core.models.catalog import Catalog, CatalogEntry, load_catalog
from app.core.models.download import (
    PartialDownload, RetryPolicy, discard_partial_download, download_catalog_model, download_model,
    find_downloaded, partial_downloads,
)
from app.core.models.gguf import GGUFInfo, read_gguf
from app.core.models.hardware import Fit, FitVerdict, Hardware, fit_verdict, probe_hardware
from app.core.models.installed import (
    bundled_models, delete_model, ensure_details, find_model, import_model, list_installed,
    resolve_model, verify_model,
)
from app.core.models.progress import TransferControl, TransferProgress
from app.core.models.registry import InstalledModel, models_root

__all__ = [
    "Catalog", "CatalogEntry", "Fit", "FitVerdict", "GGUFInfo", "Hardware", "InstalledModel",
    "PartialDownload", "RetryPolicy", "TransferControl", "TransferProgress", "bundled_models",
    "delete_model", "discard_partial_download", "download_catalog_model", "download_model",
    "ensure_details", "find_downloaded", "find_model", "fit_verdict", "import_model",
    "list_installed", "load_catalog", "models_root", "partial_downloads", "probe_hardware",
    "read_gguf", "resolve_model", "verify_model",
]
