"""Ingestion: files, WARCs and archives of the web in, captures in the archive out."""

from .files import IngestOutcome, expand_paths, ingest_paths

__all__ = ["IngestOutcome", "expand_paths", "ingest_paths"]
