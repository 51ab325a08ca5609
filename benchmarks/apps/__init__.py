"""Baseline Textual apps the benchmark compares gatebook with, in the same run."""
