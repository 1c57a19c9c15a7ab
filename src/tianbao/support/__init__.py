"""Plumbing every stage uses: the worker pool, test pause points."""
