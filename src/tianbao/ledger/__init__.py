"""The ledger of collected returns: an embedded SQLite database in the workspace
(``WS/.tianbao/ledger.sqlite``) and a content-addressed archive of the original
bytes (``WS/archive/``).

``collect`` validates returned workbooks and records them; ``status`` tells who
reported on time, late, not at all, or had their return rejected.
"""
