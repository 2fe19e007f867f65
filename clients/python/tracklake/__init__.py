"""tracklake: send tracking events from a service to a tracklake collector, or straight to
Amazon Data Firehose (one delivery stream per event type). See README.md."""
from ._sender import Stats
from ._version import __version__
from .rules import Rules, ValidationError
from .tracker import COLLECTOR, FIREHOSE, Tracker

__all__ = ["Tracker", "Stats", "Rules", "ValidationError", "COLLECTOR", "FIREHOSE", "__version__"]
