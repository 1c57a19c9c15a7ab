"""tianbao (填报): generate, validate and consolidate Excel reporting forms."""

__version__ = "0.1.0"
