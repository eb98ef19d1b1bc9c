from marelle_booking.service import definition
from marelle_kit.cli import main

main(definition)
