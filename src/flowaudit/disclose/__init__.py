"""`flowaudit disclose`: from observed traffic, draft what the app must declare."""
