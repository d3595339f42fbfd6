"""dedup: find copies and rewrites of the same news story, and align them passage by passage."""
from .config import Config
from .index import Index, Match
from .scan import ScanResult, scan
from .store import IndexFileError
from .workers import WorkerError

__all__ = ["Config", "Index", "Match", "IndexFileError", "ScanResult", "WorkerError", "scan"]
__version__ = "0.1.0"
