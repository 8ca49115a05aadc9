"""Printed documents (the CMS-1500 claim form): domain objects in, PDF bytes out; no database, no UI."""
