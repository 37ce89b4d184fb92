"""The staff dashboard: where organisers, finance and admins land after logging in."""
