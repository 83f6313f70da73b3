"""What only the test suite, the benchmarks and ``make run`` use; nothing in the product imports it."""
