"""What the tests share besides fixtures: helpers and toy labs, imported as `support.NAME` (pyproject puts tests/ on
sys.path). Nothing here is collected as a test."""
