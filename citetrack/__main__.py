"""``python -m citetrack`` runs the command line, like the ``citetrack`` script."""

from citetrack.cli import run

run()
