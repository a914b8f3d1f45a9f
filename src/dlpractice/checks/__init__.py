"""Self-checks for exercises: one module per lab (`from dlpractice.checks import lab01 as check`)."""
