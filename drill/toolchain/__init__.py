"""Bootstrap of the toolchain: each step makes one product, or skips when it exists."""
