"""Pages of the library package: every module here exporting CONTROLLERS is mounted."""
