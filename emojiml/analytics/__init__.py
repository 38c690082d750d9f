"""Effectiveness analytics: did the suggestions help (feedback), and how do people use emoji (events)?

- ``feedback``: acceptance (👍 share) by source, mix, model version and person, over time, before/after a date;
- ``engagement``: reactions per message, distinct emoji and entropy per person, channel trends, custom adoption;
- ``report``: every table for one workspace and filter (``workspace_report``), as the page and
  ``emojiml report`` show it.
"""

from emojiml.analytics.feedback import AnalyticsInputError
from emojiml.analytics.report import AnalyticsReport, build_report, workspace_report

__all__ = ["AnalyticsInputError", "AnalyticsReport", "build_report", "workspace_report"]
