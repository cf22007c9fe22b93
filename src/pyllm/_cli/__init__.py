"""The command line's subcommands (``pyllm.cli`` builds the parser and dispatches)."""
