from marelle_auth.service import definition
from marelle_kit.cli import main

main(definition)
