"""campaign-runner: send LinkedIn outreach from a spreadsheet through the ConnectSafely API."""

__version__ = "0.1.0"
