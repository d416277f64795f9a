"""The lab-result gateway: HL7 over MLLP in, a durable journal, delivery to the results database.

Plain MLLP listens where LISTEN says (the analysers' link: analysers often
cannot do TLS), MLLP over TLS where MLLPS_LISTEN says (everything else), with
the gateway's certificate (TLS_SERVER); the same handler answers both.

A result is ACKed (AA) only once it is appended to the local journal and
fsynced: the analysers are never blocked by the storage array, and nothing
ACKed is lost. A forwarder delivers journaled results to the results
database whenever it is reachable, STAT (priority S) first. While it
delivers, the ACK also waits (at most SYNC_ACK_S) for the result to be in
the database, which the vault holds in another room: a result ACKed then is
safe even if this gateway's whole room is lost the next instant. Messages the
gateway refuses are ACKed AE or AR with a reason and kept in the reject store.
Duplicates (same MSH-10) are ACKed again and stored once.

Run as `python3 -m services.lab_gateway.gateway` (`--storage-check`: the
recovery plan's check of the path to the database; `--check`: the health check).
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

from services.common.listen import serve_all
from services.common.tls import server_tls
from services.lab_gateway import delivery, results_api
from services.lab_gateway.journal import Journal
from services.lab_gateway.receiver import MLLP_PORT, MLLPS_PORT, MLLPHandler, MLLPServer, MLLPSServer

DATA = Path(os.environ.get("GATEWAY_DATA", "/var/lib/lab-gateway"))


def main() -> int:
    """Run the gateway (or one of its checks); return the exit code."""
    if "--storage-check" in sys.argv:
        return delivery.storage_check()
    if "--check" in sys.argv:
        return results_api.check()
    DATA.mkdir(parents=True, exist_ok=True)
    journal = Journal(DATA)
    MLLPHandler.journal = journal
    serve_all(lambda address: MLLPServer((address, MLLP_PORT), MLLPHandler), block=False)
    tls = server_tls()
    if tls is not None:  # MLLP over TLS beside it, where the deployment says (MLLPS_LISTEN)
        serve_all(
            lambda address: MLLPSServer((address, MLLPS_PORT), MLLPHandler, tls), "MLLPS_LISTEN", block=False
        )
    journal.receiving = True
    threading.Thread(target=delivery.forward, args=(journal,), daemon=True).start()
    results_api.serve_api(journal, delivery.connect)
    return 0


if __name__ == "__main__":
    sys.exit(main())
