from marelle_billing.service import definition
from marelle_kit.cli import main

main(definition)
