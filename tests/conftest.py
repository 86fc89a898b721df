"""Test-wide setup: the helpers beside this file (``replay.py``, the recorded-response HTTP
server) import as top-level modules from every test folder."""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
