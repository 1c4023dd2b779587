"""Benchmarks of the runner, run as `python -m bench` from the repository's root.

Each figure is timed as the median of a few runs against a baseline measured in the same run,
so the ratio holds on any machine even where the seconds do not. Not part of the test suite.
"""
