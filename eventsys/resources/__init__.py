"""The resource bank: literature, best practice, conferences and materials from events,
searchable in Norwegian and English."""
