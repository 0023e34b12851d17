"""ParkSim: an agent-based model of industrial-park policy in China (``parksim.simulation``), its
scenarios, experiment runner and store, calibration, dashboard and command line.

The model's matrix products are small (parks × sectors, sectors × sectors): a BLAS thread pool costs
far more than it gains there, and on a loaded machine it made them about 1000× slower (0.4 s instead
of 0.2 ms for one EG-Kerr metric; the province benchmark took 70 s instead of 35 s). Runs are spread
over processes instead, so each process uses one BLAS thread unless the user says otherwise. This
must be set before numpy is first imported, hence here.
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
