"""`flowaudit diff`: what changed between two audits (recipients, data types, findings)."""
