"""What a landed file holds and whether it is accepted: the record schemas, the field
checks, the streaming readers, validation, and the validator's ingestion (route an
object to validated/ or quarantine/)."""
