"""Turn the day's news into a short briefing with a local Hugging Face model."""

__version__ = "0.1.0"
