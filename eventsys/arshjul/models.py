"""Årshjul models (cycle items, follows, reminder log)."""
