"""Benchmarks: public instance families and the NHS instances solved through the engine, against the published
record and peer tools (`consortia bench`)."""
