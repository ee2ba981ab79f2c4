"""The version of dosecal: its own module, so that nothing inside the package imports `dosecal`."""

__version__ = "0.1.0"
