"""Matome's benchmark suite: `bench/run`; see bench/README.md."""
