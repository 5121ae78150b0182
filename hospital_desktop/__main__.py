"""``python -m hospital_desktop``: the same as the ``hospital-desktop`` command."""

import sys

from hospital_desktop.cli import main

sys.exit(main())
