"""The write side: <entity>_<verb>(*, actor, ...) functions that validate, change, audit and commit."""
