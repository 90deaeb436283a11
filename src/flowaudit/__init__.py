"""flowaudit: audit where an app's data really goes."""

__version__ = "0.1.0"
