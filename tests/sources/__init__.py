"""Tests of the capture sources: the Wayback Machine back-fill and the live capture."""
