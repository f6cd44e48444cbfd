"""One module per ``symact`` subcommand (see ``symact.cli.SUBCOMMANDS``)."""
