"""Imports each area's demo seeder so that it registers itself, in dependency order."""
