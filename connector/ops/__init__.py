"""Operations around the jobs: the daily cycle, one dispatch for every caller, the scheduler service,
crash recovery, the retry policy, notifications and incidents."""

from __future__ import annotations
