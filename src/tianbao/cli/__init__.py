"""The ``tianbao`` command line: shared options and error handling (options.py), the
office's commands (commands.py), the commands that take returned files (returns.py),
the commands on what the ledger holds (ledger.py: status, review, signoff, history,
consolidate), the web pages and their accounts (serve.py). ``tianbao.cli:main`` is the
console script."""

from tianbao.cli import city as _city  # noqa: F401  (registers package; the city's workspace)
from tianbao.cli import ledger as _ledger  # noqa: F401  (registers status … consolidate)
from tianbao.cli import returns as _returns  # noqa: F401  (registers validate and collect)
from tianbao.cli import serve as _serve  # noqa: F401  (registers serve and accounts)
from tianbao.cli.commands import main as main
from tianbao.cli.options import resolve_jobs as resolve_jobs
