"""grandrounds: the shell.

Three rooms: the kernel (``db``, ``errors``, ``settings``, ``money``, ``logs``,
``migrations``, ``spreadsheets``) that every package stands on and that imports
no domain package; the web kit (``web/``) that every controller and page
shares; and the composition (``server/``) that wires the packages into one app,
one worker and one command line.
"""
