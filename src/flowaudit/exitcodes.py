"""Exit statuses, as documented in docs/contract.md and the README."""

EXIT_OK = 0  # nothing at or above --fail-on
EXIT_FINDINGS = 1  # findings at or above --fail-on
EXIT_ERROR = 2  # the audit could not be done: unreadable input, invalid declaration or rules, bad usage
