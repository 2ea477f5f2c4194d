"""Imported by Python at start-up when this folder is on ``PYTHONPATH``: registers the ``slow``
generator (``tests/fakes/slow_generator.py``) through the project's plug-in seam."""

from bot.generators import register_generator

register_generator("slow", "tests.fakes.slow_generator:build")
