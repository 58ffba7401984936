"""The application core: accounts, rooms, messages, presence and typing. No UI framework imports here."""
