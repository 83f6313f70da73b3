"""Benchmarks that start what they need and print one JSON object of figures."""
