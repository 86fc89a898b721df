"""Digests, rendered purely: the HTML page, the e-mail (HTML and plain text) and the RSS/Atom
feed. Data in, strings and messages out; sending and files are in :mod:`paperfeed.delivery`."""
