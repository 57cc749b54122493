"""The public datasets training reads, pinned by sha256, and the fetcher behind ``make datasets``."""
