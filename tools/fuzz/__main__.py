"""``python -m tools.fuzz``: the same as ``vkemu fuzz``."""
import sys

from tools.fuzz.cli import main

sys.exit(main())
