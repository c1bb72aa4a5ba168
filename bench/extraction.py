"""Measures how fast pypdfium2 and pypdf pull the text out of a long real PDF.

The PDF reader uses pypdfium2 first and keeps pypdf only as a fallback; this script is the
evidence for that order. Run it from the project root:

    .venv/bin/python bench/extraction.py [path/to/file.pdf]

It defaults to the 117-page thesis in the shared corpus and prints pages per second for each
library and how many times faster pypdfium2 is. `bench/run` uses `measure_extraction`: the
app's whole reader (`load_document`: pdfium text, cleanup, paragraphs, title, language, hash)
on the same file, which is what a person waits for.
"""

from __future__ import annotations

import logging
import statistics
import sys
import time
from pathlib import Path

import pypdf
import pypdfium2

DEFAULT_PDF = (Path(__file__).resolve().parents[2] / "shared" / "corpus" / "pdf-sample-files"
               / "009-pdflatex-geotopo" / "GeoTopo-komprimiert.pdf")


def pages_per_second_pypdfium2(path: Path) -> tuple[float, int]:
    started = time.monotonic()
    document = pypdfium2.PdfDocument(path)
    try:
        page_count = len(document)
        characters = 0
        for page_index in range(page_count):
            page = document[page_index]
            text_page = page.get_textpage()
            characters += len(text_page.get_text_bounded())  # what the reader calls
            text_page.close()
            page.close()
    finally:
        document.close()
    return page_count / (time.monotonic() - started), characters


def pages_per_second_pypdf(path: Path) -> tuple[float, int]:
    started = time.monotonic()
    reader = pypdf.PdfReader(path)
    characters = sum(len(page.extract_text() or "") for page in reader.pages)
    return len(reader.pages) / (time.monotonic() - started), characters


def measure_extraction(path: Path, repeats: int = 3) -> dict:
    """Pages per second of the app's own reader on `path`: the median of `repeats` reads."""
    from app.core.documents import load_document

    seconds = []
    pages = 0
    for _ in range(repeats):
        started = time.perf_counter()
        document = load_document(path)
        seconds.append(time.perf_counter() - started)
        pages = document.page_count or 0
    typical = statistics.median(seconds)
    return {"extract_pages_per_s": pages / typical,
            "raw": {"file": path.name, "pages": pages, "seconds": [round(s, 4) for s in seconds],
                    "blocks": len(document.blocks), "characters": len(document.text)}}


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_PDF
    if not path.is_file():
        print(f"No such PDF: {path}", file=sys.stderr)
        return 1
    # pypdf logs a line per font it cannot fully decode; that noise is not what we measure.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    fast, fast_chars = pages_per_second_pypdfium2(path)
    slow, slow_chars = pages_per_second_pypdf(path)
    print(f"{path.name}")
    print(f"  pypdfium2: {fast:8.1f} pages/s  ({fast_chars} characters)")
    print(f"  pypdf:     {slow:8.1f} pages/s  ({slow_chars} characters)")
    print(f"  pypdfium2 is {fast / slow:.1f}x faster")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
