"""Eligibility and benefits: shared result models, 271 summaries, patient estimates and problems (pure)."""

from __future__ import annotations
