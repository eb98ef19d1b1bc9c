from marelle_family.service import definition
from marelle_kit.cli import main

main(definition)
