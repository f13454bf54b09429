"""`python -m tutor …` — kept for compatibility; the command line lives in `interfaces.cli`."""
import sys

from interfaces.cli import main

sys.exit(main())
