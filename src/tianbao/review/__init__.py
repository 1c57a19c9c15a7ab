"""The office's review room: decisions on returns, the period's sign-off, and the
history of both (the workflow behind ``tianbao review``, ``signoff`` and ``history``)."""
