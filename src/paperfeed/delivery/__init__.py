"""Delivery: the daily run, one-click links (signed tokens), mail, feed files, and the
:class:`~paperfeed.delivery.service.Delivery` facade that ``paperfeed daily/serve/feed/
subscribe`` and the web endpoint call. Rendering is :mod:`paperfeed.digest`'s."""
