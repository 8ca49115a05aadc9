"""Data coming in from other systems: HL7 v2 from the EHR (CSV lives in store.csv_io)."""
