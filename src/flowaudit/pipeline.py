"""The audit pipeline: captures in, a redacted and stamped audit result out.

Every command that audits captures (``check``, ``diff``, ``disclose``,
``study``) calls :func:`audit_captures`, so each sees the same engine,
catalog and payload analysis. It knows nothing of options parsing or
output formats (no click, no reporters): those stay in ``flowaudit.commands``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import replace

from flowaudit.catalog import load_catalog
from flowaudit.collector import audited, tune_for_audit
from flowaudit.declaration.combined import load_declared
from flowaudit.engine import Auditor
from flowaudit.engine.analysis import PayloadAnalyzer
from flowaudit.errors import FlowauditError
from flowaudit.inputs import open_inputs
from flowaudit.mallopt import fix_malloc_thresholds
from flowaudit.model import AuditResult
from flowaudit.redact import Redactor, redact_result

# Below this much capture, starting worker processes costs more than it saves.
PARALLEL_FROM_BYTES = 16 * 1024 * 1024


def audit_captures(
    inputs: Sequence[str],
    declared: tuple[str, ...],
    fail_on: str = "high",
    *,
    redact: bool = True,
    jobs: int | None = 0,
    allow_empty: bool = False,
) -> AuditResult:
    """Audit captures as every command does.

    ``declared`` is every ``--declared`` path (a flowaudit.yml, store files,
    folders of them; see :mod:`flowaudit.declaration.combined`). ``jobs`` is
    how many worker processes inspect payloads (0: none, all in this process;
    None: decide by the size of the captures). ``allow_empty``: a file of 0
    bytes is read as an empty capture, not refused (``--allow-empty``).

    The result comes back redacted (unless ``redact`` is False) and stamped
    for custody: when it was made and the declaration's SHA-256."""
    catalog = load_catalog()
    declaration = load_declared(declared, catalog)
    captures = open_inputs(inputs, allow_empty)
    auditor = Auditor(catalog, declaration, fail_on=fail_on, analyzer=PayloadAnalyzer(declaration, catalog))
    tune_for_audit()
    fix_malloc_thresholds()  # before the workers are forked: they keep it
    workers = _workers(captures.size) if jobs is None else jobs
    if workers > 0:
        # Worker processes (multiprocessing) only for captures large enough to need them.
        from flowaudit.parallel import audit_in_workers

        audit_in_workers(auditor, captures, declared, workers)
    else:
        for observation in captures:
            auditor.add(observation)
            audited()
    unredacted = auditor.result(captures.inputs)
    # The per-destination state goes before the redacted copy is made: on a capture
    # to many domains both are large, and only the result is needed from here on.
    del auditor
    result = redact_result(unredacted, Redactor.for_declaration(declaration, enabled=redact))
    del unredacted
    return replace(
        result,
        created=_created(),
        declaration_sha256=declaration.files[0].sha256 if declaration is not None else None,
    )


def _workers(capture_bytes: int) -> int:
    """A worker per core but one (at most 4): the main process reads and
    counts, and decodes and inspects whatever the workers have no room for
    (:mod:`flowaudit.parallel`), so it is the last core's worker. A worker on
    every core made three busy processes on the 2-core bench machine: the
    third worker's start-up and its batches' pickling cost CPU and no core
    was gained (20,000-flow bench capture, loaded machine: 15.3-19.3 CPU s
    with 2 workers, 14.2-16.9 s with 1; --jobs 0: 11.8-12.6 s)."""
    cores = os.cpu_count() or 1
    if cores < 2 or capture_bytes < PARALLEL_FROM_BYTES:
        return 0
    return min(cores - 1, 4)


def _created() -> str:
    """Now, or SOURCE_DATE_EPOCH when set (reproducible reports, as in
    https://reproducible-builds.org/specs/source-date-epoch/)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    seconds = int(epoch) if epoch.isdigit() else time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def require_flows(result: AuditResult, *, can_allow_empty: bool = True) -> None:
    """A gate that read nothing must not pass: an input damaged at its first
    record, or holding no request, is an error unless ``--allow-empty``; in a
    study, such an app is one that could not be audited (not one that sent
    nothing), and as ``study`` has no ``--allow-empty`` (``can_allow_empty``
    False) the hint does not offer it."""
    if any(i.flows for i in result.inputs):
        return
    several = len(result.inputs) > 1
    why = "; ".join(f"{i.path}: {i.problem}" if several else i.problem for i in result.inputs if i.problem)
    raise FlowauditError(
        "no readable flow in the input: nothing was audited" + (f" ({why})" if why else ""),
        path=result.inputs[0].path if len(result.inputs) == 1 else None,
        hint="check that the capture is the right file and that traffic went through the proxy"
        + ("; --allow-empty accepts an empty capture on purpose" if can_allow_empty else ""),
    )
