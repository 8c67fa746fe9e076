"""Pages of the directory package: every module here exporting CONTROLLERS is mounted."""
