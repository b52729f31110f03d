"""policy-diff: archived snapshots of a policy turned into a versioned changelog."""

__version__ = "0.1.0"
