"""`flowaudit report`: render a saved JSON result in any format, without
the captures (docs/contract.md: ``flowaudit report RESULT.json --format FMT -o PATH``).

The JSON is masked again on the way in unless ``--no-redact`` is given, so
a result written with ``--no-redact`` does not leak its secrets into a
report meant for others; the report still warns that the audit was made
unredacted (the declaration's own ``redact:`` names are not in the JSON).
``--no-redact`` renders the JSON as it is: it cannot unmask what was masked.
"""

from __future__ import annotations

from dataclasses import dataclass

from flowaudit.commands.output import require_folder_for_formats
from flowaudit.commands.write import write_result
from flowaudit.exitcodes import EXIT_OK
from flowaudit.redact import Redactor, redact_result
from flowaudit.reporters.json_load import load_result


@dataclass(frozen=True)
class ReportOptions:
    result: str  # path of a JSON result
    formats: tuple[str, ...]
    output: str | None
    redact: bool = True


def run_report(options: ReportOptions) -> int:
    require_folder_for_formats(options.formats, options.output, "report/")
    result = load_result(options.result)
    if options.redact:
        result = redact_result(result, Redactor())
    write_result(result, options.formats, options.output)
    return EXIT_OK
