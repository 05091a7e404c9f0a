"""Web views of the core: sign-in, landing, attachments, the agent workspace."""
