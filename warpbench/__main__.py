"""``python -m warpbench`` runs the command line."""
import sys

from warpbench.cli import main

sys.exit(main())
