"""Newsletters: subscribers (double opt-in, or from the account), issues written in
Markdown and sent by `tick` in batches, once per subscriber, with one-click
unsubscribe; past issues on the web and as an Atom feed."""
