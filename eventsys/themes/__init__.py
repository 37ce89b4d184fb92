"""The network's one vocabulary of themes, shared by events, resources, the forum and
people. Low in the import order: it knows only the database."""
