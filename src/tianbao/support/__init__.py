"""Plumbing every stage uses: the worker pool, guarded calls, pause points, atomic
writes, YAML with line numbers, packaged resources, xlsx and console helpers."""
