"""Tests of the render primitives: they make inputs, render, and measure the output."""
