"""The fast tier, a package so that its conftest is fast.conftest: the engine tests' own
`from conftest import ...` keeps meaning tests/conftest.py when the whole suite runs."""
