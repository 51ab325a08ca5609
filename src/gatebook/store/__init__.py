"""TinyDB persistence of reviews: atomic writes, locking, history."""
