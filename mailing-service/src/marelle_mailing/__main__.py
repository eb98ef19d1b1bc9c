from marelle_kit.cli import main
from marelle_mailing.service import definition

main(definition)
