"""HTML and PDF reports rendered from the published marts only.

Shared pieces (the leadership review uses them; an operating or diagnostic page reuses them):
``marks`` puts every number on the page with its source (data-mart, data-column, data-key,
data-value), ``charts`` draws inline SVG charts with text alternatives, ``marts`` reads the
marts on DuckDB or Postgres, ``render`` turns a Jinja2 template into HTML and the HTML into a
PDF through headless Chromium. ``leadership`` is the one-page monthly leadership review.
"""
