"""Helpers shared by the extensions: Discord limits and text splitting, the command tree, syncing."""
