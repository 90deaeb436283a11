"""What every renderer shares: the report's formats, the diff, the study, the
disclosure draft and the live view while recording.

One place, so that no renderer imports another's names: captured text made
inert, terminal cells, Markdown escaping, spreadsheet cells, the words the
sentences are made of, and the Jinja2 settings and stylesheet of every HTML
page.
"""
