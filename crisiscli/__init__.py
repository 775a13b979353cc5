"""crisis: a calm, crash-safe guide through a social-media crisis."""

__version__ = "0.1.0"
