"""``python -m symact`` runs the command-line interface."""
import sys

from symact.cli import main

sys.exit(main())
