"""What every renderer shares: the report's formats, the diff, the study, the
disclosure draft and the live view while recording.

One place, so that no renderer imports another's names: captured text made
inert, terminal cells, Markdown escaping, spreadsheet cells, the words the
sentences are made of, and the Jinja2 settings and stylesheet of every HTML
page.
"""

# Rows a report for people lists per section (recipients, findings of one severity, suppressed
# findings, timeline rows): a capture to a hundred thousand domains must still give a report a
# browser opens. The rest are counted ("and N more") and listed in full in the JSON.
MAX_LISTED = 200
# Hosts a report for people names per recipient row (a company reached through thousands of
# names); the rest are counted ("and N more hosts"), the JSON and CSV list them all.
MAX_HOSTS = 10
