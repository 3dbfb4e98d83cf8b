"""Benchmarks of kolla-zdu-plugin: the hold mechanisms and the upgrade."""
