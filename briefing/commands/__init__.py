"""One module per `briefing` subcommand; common.py holds what they share."""
