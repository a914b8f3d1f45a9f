"""One module per lab; each defines `LAB` and is registered in `dlpractice.course.registry`."""
