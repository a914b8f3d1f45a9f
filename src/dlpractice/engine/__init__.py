"""The training engine for labs that use the high-level API (built on Lightning)."""
