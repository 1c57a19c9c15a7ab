"""``python -m tianbao.cli``: the same as the ``tianbao`` command."""

from tianbao.cli import main

main()
