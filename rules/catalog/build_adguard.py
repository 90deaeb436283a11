"""Regenerate ``rules/catalog/adguard/adguard.json`` from AdGuard's companiesdb.

Source: https://github.com/AdguardTeam/companiesdb (``dist/trackers.json`` and
``dist/companies.json``), licensed CC BY-SA 4.0. The shipped file was built
from commit 94ac1779b1de0ba5f72253abcb24cea0680e66d6 (2026-07-20).

Re-run (from the repository root), pointing at a checkout or copy of the
``dist/`` files of the commit you want, then run the catalog tests::

    python rules/catalog/build_adguard.py /path/to/companiesdb/dist \\
        --commit 94ac1779b1de0ba5f72253abcb24cea0680e66d6 --date 2026-07-20
    python -m pytest tests/catalog

The output is deterministic (sorted keys, no timestamps of its own), so a
re-run on the same input gives a byte-identical file and a diff shows exactly
what upstream changed. The conversion changes the data in these ways, all of
them documented in ``rules/catalog/adguard/README.md``:

- AdGuard's category ids become flowaudit's categories (``CATEGORY_MAP``);
  the original category name is kept as ``adguard_category``.
- Company descriptions are dropped (not used, and most of the file's size).
- A tracker without a company gets one: the company with the tracker's id
  when AdGuard has it, otherwise a new company named after the tracker.
- Leading and trailing whitespace is trimmed from names; domains are
  lower-cased.

This script only reads local files; it never downloads anything.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

# AdGuard category name -> flowaudit category (see CATEGORIES in
# src/flowaudit/catalog/model.py). Why each one:
CATEGORY_MAP: dict[str, str] = {
    "advertising": "advertising",
    "pornvertising": "advertising",  # advertising networks for adult sites
    "site_analytics": "analytics",
    "mobile_analytics": "analytics",  # overlay re-files attribution and crash SDKs
    "telemetry": "analytics",  # device/vendor usage reporting
    "social_media": "social",
    "comments": "social",  # embedded comment widgets are social features
    "customer_interaction": "customer_engagement",  # chat, support, maps widgets
    "email": "customer_engagement",
    "consent": "consent",
    "cdn": "cdn",
    "hosting": "hosting",
    "audio_video_player": "hosting",  # embedded players serve third-party content
    "essential": "essential",
    "misc": "other",
    "unknown": "other",
    "extensions": "other",  # browser-extension traffic, not an app's recipient
}

SOURCE = {
    "id": "adguard",
    "name": "AdGuard companiesdb",
    "license": "CC BY-SA 4.0",
    "license_url": "https://creativecommons.org/licenses/by-sa/4.0/",
    "url": "https://github.com/AdguardTeam/companiesdb",
}


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    return text or None


def convert(trackers_doc: dict, companies_doc: dict, *, commit: str, date: str) -> dict:
    """The catalog document for one AdGuard release (pure: no file access)."""
    categories = {str(k): v for k, v in trackers_doc["categories"].items()}
    unmapped = sorted(set(categories.values()) - set(CATEGORY_MAP))
    if unmapped:
        raise SystemExit(f"AdGuard categories with no flowaudit mapping: {', '.join(unmapped)}")

    companies: dict[str, dict] = {}
    for cid, raw in companies_doc["companies"].items():
        entry = {"name": _clean(raw.get("name")) or cid}
        url = _clean(raw.get("websiteUrl"))
        if url:
            entry["url"] = url
        companies[cid] = entry

    services: dict[str, dict] = {}
    for tid, raw in trackers_doc["trackers"].items():
        adguard_category = categories[str(raw["categoryId"])]
        name = _clean(raw.get("name")) or tid
        url = _clean(raw.get("url"))
        company_id = raw.get("companyId")
        if not company_id:
            company_id = tid
            if company_id not in companies:
                companies[company_id] = {"name": name, **({"url": url} if url else {})}
        elif company_id not in companies:
            raise SystemExit(f"tracker {tid!r} names unknown company {company_id!r}")
        entry = {
            "name": name,
            "company": company_id,
            "category": CATEGORY_MAP[adguard_category],
            "adguard_category": adguard_category,
        }
        if url:
            entry["url"] = url
        services[tid] = entry

    domains: dict[str, str] = {}
    for domain, tid in trackers_doc["trackerDomains"].items():
        if tid not in services:
            raise SystemExit(f"domain {domain!r} names unknown tracker {tid!r}")
        domains[domain.strip().lower().rstrip(".")] = tid

    return {
        "source": {**SOURCE, "commit": commit, "date": date,
                   "upstream_updated": trackers_doc.get("timeUpdated")},
        "category_map": CATEGORY_MAP,
        "companies": companies,
        "services": services,
        "domains": domains,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dist", type=Path, help="folder holding trackers.json and companies.json")
    parser.add_argument("--commit", required=True, help="companiesdb commit the files come from")
    parser.add_argument("--date", required=True, help="date of that commit, YYYY-MM-DD")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent / "adguard",
        help="output folder (default: rules/catalog/adguard)",
    )
    args = parser.parse_args(argv)

    trackers_doc = json.loads((args.dist / "trackers.json").read_text(encoding="utf-8"))
    companies_doc = json.loads((args.dist / "companies.json").read_text(encoding="utf-8"))
    doc = convert(trackers_doc, companies_doc, commit=args.commit, date=args.date)

    args.out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, indent=1)
    (args.out / "adguard.json").write_text(text + "\n", encoding="utf-8")
    license_file = args.dist / "LICENSE"
    if license_file.is_file():
        shutil.copyfile(license_file, args.out / "LICENSE")
    print(
        f"wrote {args.out / 'adguard.json'}: {len(doc['companies'])} companies, "
        f"{len(doc['services'])} services, {len(doc['domains'])} domains",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
