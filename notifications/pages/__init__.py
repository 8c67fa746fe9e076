"""Pages about sent mail: the staff queue, the mail log, template previews, a person's own messages."""
