"""Emails: rendering (Jinja2, autoescaped), i18n (Babel catalogues, locale formats) and signed
links. Pure: it builds messages; sending them is an adapter's job."""
