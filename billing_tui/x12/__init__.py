"""X12 EDI for billing-tui: the 837P writer (and later the 270 writer, 835 and 271 readers).

Plain Python: no database, no UI. Writers take plain objects and give text;
readers take text and give plain objects. envelope.py holds what every
transaction shares (ISA/GS/ST framing, separators, clean data elements).
"""
