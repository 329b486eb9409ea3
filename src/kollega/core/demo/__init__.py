"""The demo: one fictitious organisation with a finished pilot and a live programme."""

from kollega.core.demo.build import DEMO_PASSWORD, DEMO_SLUG, DemoResult, demo_build, demo_delete, demo_exists

__all__ = ["DEMO_PASSWORD", "DEMO_SLUG", "DemoResult", "demo_build", "demo_delete", "demo_exists"]
