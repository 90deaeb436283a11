"""The commands, executed from already-parsed options."""
