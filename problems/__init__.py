"""Problems practice app (see its issue)."""
