"""The demo: `pos demo` with simulated devices, the panel that plays them, and the screenshot
script that renders every screen."""
