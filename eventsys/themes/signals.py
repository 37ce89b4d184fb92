"""Domain signals of the theme vocabulary; listeners live in the areas that care."""

from blinker import Namespace

_signals = Namespace()

# Sent with the Theme after an admin renamed it (in the same transaction): the
# resource bank re-indexes the records filed under it, whose search text holds the name.
theme_renamed = _signals.signal("theme-renamed")
