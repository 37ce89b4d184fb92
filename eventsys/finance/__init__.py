"""Finance: Stripe reconciliation, invoices and the bank, owners' contributions and
reports. Rules (pure) in `rules.py`/`kid.py`-free modules; database work in
`operations.py`; pages in `views.py`."""
