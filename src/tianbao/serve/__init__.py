"""``tianbao serve``: the web pages where departments hand in returns and see the verdict
at once, and the office follows the period and decides on returns.

Laid out like Datasette's views: ``app.py`` builds the Starlette app, ``accounts.py``
keeps the accounts (and the audit log, in one SQLite file of its own under
``.tianbao/``), ``auth.py`` the sessions, CSRF and lock-out, ``views/`` one module per
page type with the Jinja2 templates in ``templates/``. Every page calls ``tianbao.api``,
as the command line does; none holds a second copy of what a command does.
"""
