class UserError(Exception):
    """A problem with what the user asked for: the CLI prints it on one line and exits with status 2."""
