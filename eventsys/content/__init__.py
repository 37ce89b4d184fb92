"""User content shared by every area: the one Markdown renderer. Imports nothing of
eventsys, so resources, forum, newsletters and people can all use it."""
