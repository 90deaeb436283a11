"""Load the catalog: merged from its files once per content, then kept.

How AdGuard data and the overlay combine is :mod:`.merge`; the merged
catalog is kept in the cache (:mod:`.stored`), so a run whose files are
unchanged reads neither AdGuard's JSON nor the overlay's YAML.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flowaudit import cache as kept
from flowaudit import resources
from flowaudit.catalog import stored
from flowaudit.catalog.catalog import Catalog, CatalogParts

ADGUARD_FILE = Path("catalog/adguard/adguard.json")
OVERLAY_DIR = Path("catalog/overlay")
MANIFEST_FILE = Path("catalog/catalog.yml")


def load_catalog(rules_dir: Path | None = None) -> Catalog:
    """The catalog from ``rules_dir`` (default: the shipped rules), loaded once."""
    root = Path(rules_dir) if rules_dir is not None else resources.rules_dir()
    return _load(root.resolve())


@cache
def _load(root: Path) -> Catalog:
    """Kept by the content of its files and of the catalog code; a file that
    cannot be read is reported by the merge."""
    try:
        files = [root / MANIFEST_FILE, root / ADGUARD_FILE, *overlay_files(root / OVERLAY_DIR)]
        entry = kept.files_key([*stored.code(), *files])
    except OSError:
        return Catalog(**_merged(root)._asdict())
    return stored.from_plain(kept.cached("catalog", entry, lambda: stored.plain(_merged(root))))


def _merged(root: Path) -> CatalogParts:
    from flowaudit.catalog.merge import merge_files  # only when not kept: it reads and checks every file

    return merge_files(root)


def overlay_files(folder: Path) -> list[Path]:
    """The overlay's YAML files, in a stable order."""
    return sorted(p for p in folder.glob("*.yml") if p.is_file())
