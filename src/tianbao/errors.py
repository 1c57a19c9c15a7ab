"""Exceptions for "could not run". Bad data in plans or returns is reported as
findings/problems, never raised."""

from __future__ import annotations


class TianbaoError(Exception):
    """Base class: the CLI turns these into a one-line message and exit code 2."""

    exit_code = 2


class WorkspaceError(TianbaoError):
    """The workspace is missing or unusable (no plan file, unreadable forms...)."""


class UsageError(TianbaoError):
    """The command was asked for something that does not exist (unknown period...)."""
