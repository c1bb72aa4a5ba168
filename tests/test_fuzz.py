"""Fuzzing the readers: over a thousand damaged PDFs and Word files, each of which must end in
a Document or a typed DocumentError within its time limit, with this process alive.

The seed is fixed, so CI reads the same files every run (about 10–20 s on two cores: one warm
reader process per thread, no process start per file). `scripts/fuzz --count N --seed S` runs
longer or different campaigns with the same code (tests/fuzzing.py).
"""

from __future__ import annotations

import hashlib
import io
import zipfile

from app.core.settings import LimitSettings
from tests import fuzzing

SEED = 20261129
COUNT = 1200


def test_damaged_documents_end_in_a_document_or_a_typed_error(corpus_dir, tmp_path):
    pdfs, docxs = fuzzing.pdf_seeds(corpus_dir), fuzzing.docx_seeds()
    assert len(pdfs) >= 20 and len(docxs) == 3
    report = fuzzing.run(fuzzing.mutants(SEED, COUNT, pdfs, docxs), tmp_path,
                         limits=LimitSettings(max_read_seconds=10))
    print(report.summary())
    assert report.count == COUNT
    assert report.failures == []
    # The mutations must damage without destroying: some files still read, many don't.
    assert report.outcomes["Document"] > COUNT // 10, report.summary()
    assert report.outcomes["CorruptDocumentError"] > COUNT // 10, report.summary()
    # A crash is survived, but it is also news: pdfium or lxml fell over on a file.
    assert len(report.crashes) <= COUNT // 100, report.crashes


def test_the_same_seed_makes_the_same_files(corpus_dir):
    pdfs, docxs = fuzzing.pdf_seeds(corpus_dir), fuzzing.docx_seeds()

    def fingerprint(seed):
        digest = hashlib.sha256()
        for mutant in fuzzing.mutants(seed, 60, pdfs, docxs):
            digest.update(mutant.name.encode() + mutant.data)
        return digest.hexdigest()

    assert fingerprint(SEED) == fingerprint(SEED)
    assert fingerprint(SEED) != fingerprint(SEED + 1)
    # Nor may the files depend on when they are made: python-docx stamps the time into ZIPs.
    for _name, data in docxs:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_the_fuzz_script_runs_and_reports(corpus_dir, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "scripts" / "fuzz"
    result = subprocess.run([sys.executable, str(script), "--count", "30", "--seed", "5", "--corpus", str(corpus_dir),
                             "--keep", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "30 files in" in result.stdout and "0 failures" in result.stdout
