"""`python -m lemonade` runs the CLI."""

from lemonade.cli import app

app(prog_name="lemonade")
