"""Validate returned workbooks: read safely, identify, check structure, normalise
what people typed, check the schema and the audit rules; collect findings."""
