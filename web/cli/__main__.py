"""``python -m web.cli``: the ``twinning`` command without its console script."""

from web.cli import main

main()
