"""deckmill: turn scraped interview-question pages into deduplicated, tagged Anki decks."""

__version__ = "0.1.0"
