"""Pure programme rules (attendance, credits, Zoom imports), kept free of the database and the web."""
