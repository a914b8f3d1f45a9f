from dlpractice.cli import main

main()
