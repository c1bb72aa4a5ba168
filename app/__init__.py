"""Matome: private, offline summaries of documents with a local language model."""

__version__ = "0.1.0"
