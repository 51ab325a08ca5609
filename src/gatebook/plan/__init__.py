"""The Markdown plan: render, digest, verify, parse back, signatures."""
