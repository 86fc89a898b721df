"""The small web side: the HTTP endpoint behind digest and feed links."""
