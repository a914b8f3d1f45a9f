class UserError(Exception):
    """Bad input from the user: the command prints the message as one line and exits with status 2."""


class RunStopped(Exception):
    """A run that failed or was interrupted after its first checkpoint: its folder is kept, and the message says how
    to resume it. The command prints it as one line and exits with `status` (130 after Ctrl-C, like a shell)."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def first_sentence(err: BaseException) -> str:
    """The first sentence of a library's error: what went wrong, without advice that does not apply here."""
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return text.split(". ")[0].rstrip(".")
