"""Helpers that belong to no domain: Russian number and date formatting, the per-user page cache, bulk COPY
writing, table export (CSV/XLSX).

Everything here imports Django and libraries only, never an app of the project: any app may use lib, and a rule
that needs to know about accounts, periods or meters is given to lib by the app that owns it (see page_cache).
"""
