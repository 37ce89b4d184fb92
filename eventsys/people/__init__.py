"""The network's people: each owner's resource person per ownership period (history
kept), their profiles and directory, event hosts (organiser rights for one event) and
gatherings limited to resource persons."""
