"""`python -m runner` does what the `campaign-runner` command does."""

from .cli import main_entry

main_entry()
