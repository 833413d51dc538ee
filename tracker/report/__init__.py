"""`tracker report`: completion figures, trend and review view from the database, in five formats."""
