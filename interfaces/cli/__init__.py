"""Command line: `python -m tutor index|search|ask|quiz` (also `python -m interfaces.cli`)."""
from .main import main

__all__ = ["main"]
