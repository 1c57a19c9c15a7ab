"""Developer fixtures: the demo, simulated departments, synthetic plans for benchmarks."""
