"""The desktop window (PySide6).

Rules for this package: it never imports llama_cpp or huggingface_hub (the model runs on the
model worker's thread, through app.core), widgets never start threads or call the model, and
every user-visible string goes through Qt's translation (self.tr / QCoreApplication.translate).
"""

from app.ui import qt_compat as _qt_compat

_qt_compat.install()
