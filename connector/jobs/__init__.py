"""Jobs: one module per job (``run(ctx)``), the registry of their names, the ledger lifecycle and sign-in.

``connector.jobs.execute.run_job`` runs one job for one account: ledger row -> status gate -> browser and
sign-in (when the job needs the portal) -> the job's own module -> ledger row closed. Importing this
package is cheap (settings read the registry); job modules load when first run.
"""

from __future__ import annotations
