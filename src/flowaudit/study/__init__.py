"""`flowaudit study`: many apps audited alike, one table anyone can check."""
