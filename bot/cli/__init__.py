"""One module per CLI command: `configure(parser)` adds its arguments, `run(args) -> int` does the work."""
