"""The discussion forum: categories by theme, threads (one per published seminar),
posts in sanitised Markdown, moderation, following with e-mail and digests, search."""
