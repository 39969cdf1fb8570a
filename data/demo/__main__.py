"""`python -m data.demo --scale demo|test|province [--reset]`."""
from data.demo import main

main()
