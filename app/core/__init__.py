"""Everything under the GUI: documents, engine, summaries, answers, models, settings.

Nothing in this package imports Qt; the UI calls it from worker threads.
"""
